// A client's audit view: every run's Temporal history (who decided what, what the bots did) merged
// with the API access records (who read or changed that client's data, from where), in time
// order; JSON Lines for export to compliance tooling.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import { buildAuditTrail } from '../audit/audit-trail';
import { AuditEntry } from '../audit/audit-entry';
import { AccessRecord, type AccessLog } from '../audit/access-log';
import { AUDIT_READERS } from '../auth/route-roles';
import { problems } from '../problems';
import { withProblems } from './responses';

const DAY = 24 * 60 * 60 * 1000;

const ClientAuditLine = z.discriminatedUnion('source', [
  AuditEntry.extend({ source: z.literal('history'), runId: z.string() }),
  AccessRecord.extend({ source: z.literal('access') }),
]);
type ClientAuditLine = z.infer<typeof ClientAuditLine>;

export const clientAuditRoutes: FastifyPluginAsyncZod<{ temporal: Client; accessLog: AccessLog }> = async (app, { temporal, accessLog }) => {
  app.get(
    '/clients/:client/audit',
    {
      config: { auth: { roles: AUDIT_READERS } },
      schema: {
        summary: 'A client’s audit view: run histories and API access records, in time order',
        tags: ['audit'],
        params: z.object({ client: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Not a client id') }),
        querystring: z.object({
          since: z.iso.datetime().optional().describe('Default: 24 hours ago'),
          until: z.iso.datetime().optional().describe('Default: now'),
          maxRuns: z.coerce.number().int().min(1).max(1000).default(200),
          format: z.enum(['json', 'jsonl']).default('json'),
        }),
        response: withProblems({
          200: {
            description: 'The entries in time order (format=jsonl: one a line)',
            content: {
              'application/json': { schema: z.object({ client: z.string(), since: z.string(), until: z.string(), entries: z.array(ClientAuditLine), truncated: z.boolean() }) },
              'application/x-ndjson': { schema: z.string().describe('One entry (JSON) a line') },
            },
          },
        }),
      },
    },
    async (request, reply) => {
      const { client } = request.params;
      if (!request.principal().clients.includes(client)) throw problems.notFound(`No client ${client}`);
      request.touchClient(client);
      const until = request.query.until ? new Date(request.query.until) : new Date();
      const since = request.query.since ? new Date(request.query.since) : new Date(until.getTime() - DAY);
      if (since > until) throw problems.invalidRequest([{ field: 'querystring.since', message: 'since is after until' }]);
      const inRange = (at: string) => at >= since.toISOString() && at <= until.toISOString();

      const lines: ClientAuditLine[] = [];
      const query = `TandemClient = '${client}' AND StartTime <= '${until.toISOString()}' AND (ExecutionStatus = 'Running' OR CloseTime >= '${since.toISOString()}')`;
      let runs = 0;
      let truncated = false;
      for await (const execution of temporal.workflow.list({ query })) {
        if (runs++ >= request.query.maxRuns) {
          truncated = true;
          break;
        }
        const trail = await buildAuditTrail(temporal, execution.workflowId);
        for (const entry of trail) if (inRange(entry.at)) lines.push({ source: 'history', runId: execution.workflowId, ...entry });
      }
      for (const record of await accessLog.read(client, since, until, 100_000)) lines.push({ source: 'access', ...record });
      lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

      if (request.query.format === 'jsonl') {
        return reply
          .type('application/x-ndjson')
          .header('content-disposition', `attachment; filename="${client}.audit.jsonl"`)
          .send((lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : '')) as never);
      }
      return { client, since: since.toISOString(), until: until.toISOString(), entries: lines, truncated };
    },
  );
};
