// A client's oversight: its service levels, KPIs over any period and the period's service report
// (JSON, CSV of the runs behind it, or printable HTML). Another client's figures answer 404.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { ServiceLevelSchema } from '../../workflows/engine/service-level';
import { KpiReport } from '../../reporting/kpi-report';
import { periodBounds, REPORT_YEARS } from '../../reporting/periods';
import type { ClientOversight } from '../client-oversight';
import { REPORT_READERS } from '../auth/route-roles';
import { problems } from '../problems';
import { withProblems } from './responses';
import { itemsCsv, printableReport } from '../../reporting/report-render';
import { clientName } from '../../platform/clients';
import { RunFigure } from '../../reporting/run-figures';
import { ServiceLevelBreach } from '../../reporting/service-report';
import { serviceReportRoutes } from './service-reports';

const PeriodParam = z.string().max(10).regex(/^\d{4}-(\d{2}|W\d{2}|\d{2}-\d{2})$/, 'A month (2026-11), ISO week (2026-W48) or day (2026-11-05)');
const RunBehind = z.object({
  runId: z.string(),
  process: z.string(),
  businessRef: z.string(),
  status: z.string(),
  outcome: z.string().nullable(),
  receivedAt: z.string(),
  closedAt: z.string(),
  turnaroundMs: z.number().nullable(),
  withinTarget: z.boolean().nullable(),
  humanTasks: z.number().int(),
  businessExceptions: z.array(z.string()),
  systemExceptions: z.array(z.string()),
  qaResult: z.string().nullable(),
  qaReason: z.string().nullable(),
  cost: z.number().nullable(),
});
type RunBehind = z.infer<typeof RunBehind>;
const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
const runBehind = (r: Record<string, unknown>): RunBehind => ({
  runId: String(r.run_id),
  process: String(r.process),
  businessRef: String(r.business_ref),
  status: String(r.status),
  outcome: (r.outcome as string | null) ?? null,
  receivedAt: iso(r.received_ms),
  closedAt: iso(r.closed_ms),
  turnaroundMs: r.turnaround_ms === null ? null : Number(r.turnaround_ms),
  withinTarget: (r.within_target as boolean | null) ?? null,
  humanTasks: Number(r.human_tasks),
  businessExceptions: (r.business_exceptions as string[] | null) ?? [],
  systemExceptions: (r.system_exceptions as string[] | null) ?? [],
  qaResult: (r.qa_result as string | null) ?? null,
  qaReason: (r.qa_reason as string | null) ?? null,
  cost: r.cost === null ? null : Number(r.cost),
});

const ClientParam = z.object({ client: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Not a client id') });
const ReportInstant = z.iso.datetime().refine((s) => {
  const year = new Date(s).getUTCFullYear();
  return year >= REPORT_YEARS.from && year < REPORT_YEARS.to;
}, `A time in the years ${REPORT_YEARS.from} to ${REPORT_YEARS.to - 1}`);
const ProcessName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Not a process name').optional();

export const clientOversightRoutes: FastifyPluginAsyncZod<{ oversight: ClientOversight }> = async (app, { oversight }) => {
  await app.register(serviceReportRoutes, { schedules: oversight.reportSchedules });
  const scoped = (request: FastifyRequest, client: string): void => {
    if (!request.principal().clients.includes(client)) throw problems.notFound(`No client ${client}`);
    request.touchClient(client);
  };
  const knownProcess = (process: string | undefined): void => {
    if (process && !oversight.hasProcess(process)) throw problems.invalidRequest([{ field: 'querystring.process', message: `No process ${process}` }]);
  };

  app.get(
    '/clients/:client/service-levels',
    {
      config: { auth: { roles: REPORT_READERS } },
      schema: {
        summary: 'A client’s service levels: every version of each process’s targets and cost model',
        tags: ['oversight'],
        params: ClientParam,
        response: withProblems({ 200: z.object({ client: z.string(), serviceLevels: z.array(ServiceLevelSchema) }) }),
      },
    },
    async (request) => {
      const { client } = request.params;
      scoped(request, client);
      return { client, serviceLevels: oversight.serviceLevels(client) };
    },
  );

  app.get(
    '/clients/:client/kpis',
    {
      config: { auth: { roles: REPORT_READERS } },
      schema: {
        summary: 'A client’s KPIs over a period: turnaround, SLA attainment, backlog, STP, exceptions, handle time, bots, quality, cost',
        tags: ['oversight'],
        params: ClientParam,
        querystring: z.object({
          process: ProcessName,
          from: ReportInstant.optional().describe('Default: start of this month in the client’s time zone'),
          to: ReportInstant.optional().describe('Default: end of this month'),
          granularity: z.enum(['day', 'week', 'month']).default('week'),
        }),
        response: withProblems({ 200: KpiReport }),
      },
    },
    async (request) => {
      const { client } = request.params;
      scoped(request, client);
      const { process, from, to, granularity } = request.query;
      knownProcess(process);
      const fromMs = from ? Date.parse(from) : undefined;
      const toMs = to ? Date.parse(to) : undefined;
      if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) throw problems.invalidRequest([{ field: 'querystring.from', message: 'from is not before to' }]);
      if (fromMs !== undefined && toMs !== undefined && toMs - fromMs > 400 * 86_400_000) throw problems.invalidRequest([{ field: 'querystring.to', message: 'At most 400 days at once' }]);
      return oversight.kpis({ client, process, fromMs, toMs, granularity });
    },
  );

  app.get(
    '/clients/:client/reports/:period',
    {
      config: { auth: { roles: REPORT_READERS } },
      schema: {
        summary: 'A client’s service report for a month (2026-11), ISO week (2026-W48) or day: JSON, CSV of its runs, or printable HTML',
        tags: ['oversight'],
        params: ClientParam.extend({ period: PeriodParam }),
        querystring: z.object({ process: ProcessName, format: z.enum(['json', 'csv', 'html']).default('json') }),
        response: withProblems({
          200: {
            description: 'The report',
            content: {
              'application/json': {
                schema: KpiReport.extend({
                  period: z.string(),
                  serviceLevelBreaches: z.array(ServiceLevelBreach).describe('Targets of this period raised as missed (GET /clients/{client}/service-level-breaches)'),
                }),
              },
              'text/csv': { schema: z.string().describe('One run a line') },
              'text/html': { schema: z.string().describe('Printable service report') },
            },
          },
        }),
      },
    },
    async (request, reply) => {
      const { client, period } = request.params;
      scoped(request, client);
      const { process, format } = request.query;
      knownProcess(process);
      const report = await oversight.report(client, period, process);
      if (!report) throw problems.invalidRequest([{ field: 'params.period', message: `Not a period: ${period}` }]);
      if (format === 'csv') {
        const bounds = periodBounds(period, oversight.timeZoneOf(client))!;
        const rows = await oversight.items(client, bounds.fromMs, bounds.toMs, process);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${client}.${period}.csv"`)
          .send(itemsCsv(rows) as never);
      }
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(printableReport(period, report, oversight.serviceLevels(client), clientName(client)) as never);
      const breaches = await oversight.reportSchedules.breaches(client, period);
      return { period, ...report, serviceLevelBreaches: breaches.filter((b) => !process || b.process === process) };
    },
  );

  app.get(
    '/clients/:client/reports/:period/runs',
    {
      config: { auth: { roles: REPORT_READERS } },
      schema: {
        summary: 'The runs behind a report’s figures: every run closed in the period, or one figure’s (breached, QA-failed, …); newest first',
        tags: ['oversight'],
        params: ClientParam.extend({ period: PeriodParam }),
        querystring: z.object({ process: ProcessName, figure: RunFigure.optional(), limit: z.coerce.number().int().min(1).max(5_000).default(500) }),
        response: withProblems({ 200: z.object({ client: z.string(), period: z.string(), figure: RunFigure.nullable(), runs: z.array(RunBehind), truncated: z.boolean() }) }),
      },
    },
    async (request) => {
      const { client, period } = request.params;
      scoped(request, client);
      const { process, figure, limit } = request.query;
      knownProcess(process);
      const bounds = periodBounds(period, oversight.timeZoneOf(client));
      if (!bounds) throw problems.invalidRequest([{ field: 'params.period', message: `Not a period: ${period}` }]);
      const rows = await oversight.items(client, bounds.fromMs, bounds.toMs, process, limit + 1, figure);
      return { client, period, figure: figure ?? null, runs: rows.slice(0, limit).map(runBehind), truncated: rows.length > limit };
    },
  );
};
