// Finding runs: the caller's clients' runs by process, client, status, business reference and
// start time, newest first, a page at a time (api/run-finder.ts reads Temporal visibility).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProcessDefinition } from '../../workflows/engine/process-definition';
import { ClientId } from '../../workflows/engine/common-schemas';
import { decodeRunCursor, encodeRunCursor, RUN_SEARCH_STATUSES, type FoundRun, type RunFinder } from '../run-finder';
import { RunStatus } from '../schemas';
import { ANYONE } from '../auth/route-roles';
import { problems } from '../problems';
import { withProblems } from './responses';

export interface RunSearchRoutesOptions {
  finder: RunFinder;
  processes: readonly ProcessDefinition[];
}

const Iso = z.string().describe('ISO 8601 timestamp');
const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** The query string; `process` takes the names of the processes this API serves. */
function runSearchQuery(processNames: readonly [string, ...string[]]) {
  return z
    .object({
      process: z.enum(processNames).optional(),
      client: ClientId.optional().describe('One of the caller’s clients; another client’s name finds nothing'),
      status: z
        .enum(RUN_SEARCH_STATUSES)
        .optional()
        .describe('Temporal’s status of the run, or what a running one waits on: waiting-human, waiting-bot'),
      businessRef: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[^'"\\\u0000-\u001f]+$/, 'A business reference without quotes, backslashes or control characters')
        .optional()
        .describe('The business reference, exactly (claim number, payroll period, …)'),
      startedAfter: Instant.optional().describe('Runs started at or after this time (ISO 8601)'),
      startedBefore: Instant.optional().describe('Runs started before this time (ISO 8601)'),
      cursor: z.string().max(400).optional().describe('`nextCursor` of the previous page'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    })
    .superRefine((q, ctx) => {
      if (q.startedAfter && q.startedBefore && q.startedBefore <= q.startedAfter) {
        ctx.addIssue({ code: 'custom', path: ['startedBefore'], message: 'startedBefore must be later than startedAfter' });
      }
    });
}

export const RunRow = z.object({
  runId: z.string(),
  process: z.string(),
  client: z.string(),
  businessRef: z.string().optional(),
  status: RunStatus,
  phase: z.string().optional().describe('running | waiting-human | waiting-bot | completed | failed | cancelled'),
  startedAt: Iso,
  closedAt: Iso.optional(),
  url: z.string().describe('GET: the run’s steps, what it waits on, tasks and outcome'),
  auditUrl: z.string().describe('GET: who did what in the run, from its history'),
});

export const RunList = z.object({
  runs: z.array(RunRow).describe('Newest first: by start time, then run id'),
  nextCursor: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last page'),
});

function row(run: FoundRun): z.infer<typeof RunRow> {
  const status = RunStatus.safeParse(run.status);
  return {
    ...run,
    status: status.success ? status.data : 'running',
    url: `/runs/${run.runId}`,
    auditUrl: `/runs/${run.runId}/audit`,
  };
}

export const runSearchRoutes: FastifyPluginAsyncZod<RunSearchRoutesOptions> = async (app, { finder, processes }) => {
  const names = processes.map((p) => p.name);
  app.get(
    '/runs',
    {
      config: { auth: { roles: ANYONE } },
      schema: {
        summary: 'Find runs of the caller’s clients: by process, client, status, business reference, start time',
        description:
          'Newest first (start time, then run id), read from Temporal visibility. The cursor is the last run shown, so runs that ' +
          'start or close while you page neither repeat nor go missing; runs started after the first page appear on a new first page. ' +
          'Visibility is eventually consistent: a run shows here a moment after it starts or changes. Item runs of a batch are ' +
          'listed by GET /batches/{batchId}/items, not here.',
        tags: ['runs'],
        querystring: runSearchQuery(names as [string, ...string[]]),
        response: withProblems({ 200: RunList }),
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      let after;
      try {
        after = cursor ? decodeRunCursor(cursor) : undefined;
      } catch (err) {
        throw problems.invalidRequest([{ field: 'querystring.cursor', message: (err as Error).message }]);
      }
      const page = await finder.find(filter, request.principal().clients, { after, limit });
      request.touchClient(...new Set(page.runs.map((r) => r.client)));
      return { runs: page.runs.map(row), ...(page.next ? { nextCursor: encodeRunCursor(page.next) } : {}) };
    },
  );
};
