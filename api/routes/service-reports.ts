// A client's scheduled service reports and service-level breaches: the report schedules (read by
// the report readers, changed by the provider's process admins and supervisors), the reports
// delivered and the breaches raised. Scoped as every client route: another client answers 404.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { REPORT_READERS, REPORT_SCHEDULERS } from '../auth/route-roles';
import { problems } from '../problems';
import { withProblems } from './responses';
import { DeliveredReport, NewReportSchedule, ReportScheduleKindParam, ReportScheduleView, type ReportSchedules } from '../report-schedules';
import { ServiceLevelBreach } from '../../reporting/service-report';

const ClientParam = z.object({ client: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Not a client id') });
const KindParam = ClientParam.extend({ kind: ReportScheduleKindParam });
const Note = z.object({ note: z.string().trim().min(1).max(200).optional() }).strict();
const PeriodQuery = z.string().max(10).regex(/^\d{4}-(\d{2}|W\d{2}|\d{2}-\d{2})$/, 'A month (2026-11), ISO week (2026-W48) or day (2026-11-05)');

export const serviceReportRoutes: FastifyPluginAsyncZod<{ schedules: ReportSchedules }> = async (app, { schedules }) => {
  const scoped = (request: FastifyRequest, client: string): void => {
    if (!request.principal().clients.includes(client)) throw problems.notFound(`No client ${client}`);
    request.touchClient(client);
  };
  const read = { auth: { roles: REPORT_READERS } };
  const change = { auth: { roles: REPORT_SCHEDULERS } };
  const tags = ['oversight'];

  app.get(
    '/clients/:client/report-schedules',
    { config: read, schema: { tags, summary: 'A client’s service-report schedules: monthly and weekly reports, the daily service-level watch', params: ClientParam, response: withProblems({ 200: z.object({ client: z.string(), schedules: z.array(ReportScheduleView) }) }) } },
    async (request) => {
      const { client } = request.params;
      scoped(request, client);
      return { client, schedules: await schedules.list(client) };
    },
  );

  app.post(
    '/clients/:client/report-schedules',
    {
      config: change,
      schema: {
        tags,
        summary: 'Schedule a client’s service reports (one schedule per kind, in the client’s time zone)',
        description:
          'monthly fires on the 1st and reports the month before; weekly fires on Mondays and reports the ISO week before; watch fires daily and raises service-level.breached for a running month or week whose figure is already below target over at least 20 items. ' +
          'Each report is delivered once per client and period as a signed report.ready webhook, however often the schedule fires or is backfilled.',
        params: ClientParam,
        body: NewReportSchedule,
        response: withProblems({ 201: ReportScheduleView }),
      },
    },
    async (request, reply) => {
      const { client } = request.params;
      scoped(request, client);
      const apiBase = `${request.protocol}://${request.host}`;
      const view = await schedules.create(client, request.body, apiBase, request.principal().id);
      return reply.code(201).header('location', `/clients/${client}/report-schedules/${view.kind}`).send(view);
    },
  );

  app.get(
    '/clients/:client/report-schedules/:kind',
    { config: read, schema: { tags, summary: 'One of a client’s report schedules: next and recent fires', params: KindParam, response: withProblems({ 200: ReportScheduleView }) } },
    async (request) => {
      const { client, kind } = request.params;
      scoped(request, client);
      return schedules.describe(client, kind);
    },
  );

  app.post(
    '/clients/:client/report-schedules/:kind/pause',
    { config: change, schema: { tags, summary: 'Pause a report schedule', params: KindParam, body: Note.extend({ note: z.string().trim().min(1).max(200) }), response: withProblems({ 200: ReportScheduleView }) } },
    async (request) => {
      const { client, kind } = request.params;
      scoped(request, client);
      return schedules.pause(client, kind, request.body.note);
    },
  );

  app.post(
    '/clients/:client/report-schedules/:kind/unpause',
    { config: change, schema: { tags, summary: 'Unpause a report schedule', params: KindParam, body: Note, response: withProblems({ 200: ReportScheduleView }) } },
    async (request) => {
      const { client, kind } = request.params;
      scoped(request, client);
      return schedules.unpause(client, kind, request.body.note);
    },
  );

  app.delete(
    '/clients/:client/report-schedules/:kind',
    { config: change, schema: { tags, summary: 'Remove a report schedule (reports already delivered stay)', params: KindParam, response: withProblems({ 204: z.null().describe('Removed') }) } },
    async (request, reply) => {
      const { client, kind } = request.params;
      scoped(request, client);
      await schedules.delete(client, kind);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/clients/:client/service-reports',
    { config: read, schema: { tags, summary: 'A client’s scheduled service reports: one run per period, delivered as report.ready', params: ClientParam, response: withProblems({ 200: z.object({ client: z.string(), reports: z.array(DeliveredReport) }) }) } },
    async (request) => {
      const { client } = request.params;
      scoped(request, client);
      return { client, reports: await schedules.reports(client) };
    },
  );

  app.get(
    '/clients/:client/service-level-breaches',
    {
      config: read,
      schema: {
        tags,
        summary: 'Service-level targets a client’s periods missed (turnaround attainment, QA pass rate, straight-through rate), each raised once as service-level.breached',
        params: ClientParam,
        querystring: z.object({ period: PeriodQuery.optional() }),
        response: withProblems({ 200: z.object({ client: z.string(), breaches: z.array(ServiceLevelBreach) }) }),
      },
    },
    async (request) => {
      const { client } = request.params;
      scoped(request, client);
      return { client, breaches: await schedules.breaches(client, request.query.period) };
    },
  );
};
