// Audit trails: who did what to a run's tasks and when, read from the run's Temporal history.
// JSON for the inbox; JSON Lines (`?format=jsonl`) for exports to compliance tooling.
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import { runIdOfTask } from '../../workflows/engine/messages';
import { buildAuditTrail } from '../audit/audit-trail';
import { RunAuditTrail, TaskAuditTrail, type AuditEntry } from '../audit/audit-entry';
import { requireRunInScope } from '../audit/run-scope';
import { problems } from '../problems';
import { RunIdParam, TaskIdParam } from '../schemas';
import { AUDIT_READERS } from '../auth/route-roles';
import { withProblems } from './responses';

export interface AuditRoutesOptions {
  temporal: Client;
}

const NDJSON = 'application/x-ndjson';

const AuditFormat = z.object({
  format: z.enum(['json', 'jsonl']).default('json').describe(`jsonl: one entry a line, as ${NDJSON}`),
});

function trailResponse<T extends z.ZodType>(json: T) {
  return withProblems({
    200: {
      description: 'The entries in history order',
      content: { 'application/json': { schema: json }, [NDJSON]: { schema: z.string().describe('One AuditEntry (JSON) a line') } },
    },
  });
}

function sendJsonLines(reply: FastifyReply, name: string, entries: AuditEntry[]) {
  const lines = entries.map((e) => JSON.stringify(e)).join('\n');
  return reply
    .type(NDJSON)
    .header('content-disposition', `attachment; filename="${name}.audit.jsonl"`)
    .send(lines ? `${lines}\n` : '');
}

export const auditRoutes: FastifyPluginAsyncZod<AuditRoutesOptions> = async (app, { temporal }) => {
  app.get(
    '/runs/:runId/audit',
    {
      config: { auth: { roles: AUDIT_READERS } },
      schema: {
        summary: 'A run’s audit trail: start, bot steps, every task transition with who made it, close',
        tags: ['audit'],
        params: RunIdParam,
        querystring: AuditFormat,
        response: trailResponse(RunAuditTrail),
      },
    },
    async (request, reply) => {
      const { runId } = request.params;
      request.touchClient(await requireRunInScope(temporal, runId, request.actor(), () => problems.runNotFound(`No run ${runId}`)));
      const entries = await buildAuditTrail(temporal, runId);
      if (request.query.format === 'jsonl') return sendJsonLines(reply, runId, entries);
      return { runId, entries };
    },
  );

  app.get(
    '/tasks/:taskId/audit',
    {
      config: { auth: { roles: AUDIT_READERS } },
      schema: {
        summary: 'A task’s audit trail: opened, claimed, commented, decided… with who and when',
        tags: ['audit'],
        params: TaskIdParam,
        querystring: AuditFormat,
        response: trailResponse(TaskAuditTrail),
      },
    },
    async (request, reply) => {
      const { taskId } = request.params;
      const notFound = () => problems.taskNotFound(`No task ${taskId}`);
      const runId = runIdOfTask(taskId);
      if (!runId) throw notFound();
      request.touchClient(await requireRunInScope(temporal, runId, request.actor(), notFound));
      const entries = (await buildAuditTrail(temporal, runId)).filter((e) => e.taskId === taskId);
      // Every task that exists was opened, so an empty trail means there is no such task.
      if (entries.length === 0) throw notFound();
      if (request.query.format === 'jsonl') return sendJsonLines(reply, taskId, entries);
      return { taskId, entries };
    },
  );
};
