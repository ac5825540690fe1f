// Processes: what can be run, with the JSON Schema of each input, and one start route per
// process so each documents its own input in the OpenAPI document.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { formActions } from '../../workflows/engine/task-form';
import type { ProcessDefinition } from '../../workflows/engine/process-definition';
import type { ProcessRuns } from '../process-runs';
import { IdempotencyKey, ProcessSummary, RunStarted } from '../schemas';
import { withProblems } from './responses';
import { ANYONE, QA_POLICY_MANAGERS, RUN_STARTERS } from '../auth/route-roles';
import { hasAnyRole } from '../auth/principal';
import { problems } from '../problems';

export interface ProcessRoutesOptions {
  processes: readonly ProcessDefinition[];
  runs: ProcessRuns;
}

const jsonSchema = (schema: z.ZodType): Record<string, unknown> => z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;

export const processRoutes: FastifyPluginAsyncZod<ProcessRoutesOptions> = async (app, { processes, runs }) => {
  app.get(
    '/processes',
    { config: { auth: { roles: ANYONE } }, schema: { summary: 'List the processes and their input schemas', tags: ['processes'], response: withProblems({ 200: z.array(ProcessSummary) }) } },
    async () =>
      processes.map((p) => ({
        name: p.name,
        version: p.version,
        title: p.title,
        description: p.description,
        startUrl: `/processes/${p.name}/runs`,
        inputSchema: jsonSchema(p.input),
        ...(p.schedule ? { scheduleInputSchema: jsonSchema(p.schedule.fixed) } : {}),
        taskForms: p.taskForms.map((f) => ({ kind: f.kind, title: f.title, actions: formActions(f), jsonSchema: jsonSchema(f.decision) })),
        ...(p.compensations ? { compensations: p.compensations.map((c) => ({ ...c })) } : {}),
      })),
  );

  for (const process of processes) {
    app.post(
      `/processes/${process.name}/runs`,
      {
        config: { auth: { roles: RUN_STARTERS } },
        schema: {
          summary: `Start a ${process.title} run`,
          description:
            `${process.description}\n\nOne run per business item: while a run of the same ${process.name} item is open, or after one completed, ` +
            'a start answers 409 naming that run (`business-item-open`, `business-item-done`; a supervisor may reprocess a completed one ' +
            'with POST /runs/{runId}/reprocess). Send an Idempotency-Key to make the call safe to repeat: the same key returns the same run.' +
            (process.qaPolicies
              ? '\n\nQA sampling: without `qaSampling` the run takes the client’s QA policy in force at its start (GET /clients/{client}/qa-policies/' +
                `${process.name}) and keeps it to its end; only supervisors and process admins may set \`qaSampling\` (403 naming \`body.qaSampling\` otherwise).`
              : ''),
          tags: ['runs'],
          headers: z.object({ 'idempotency-key': IdempotencyKey }),
          body: process.input,
          response: withProblems({ 200: RunStarted, 201: RunStarted }),
        },
      },
      async (request, reply) => {
        const client = process.clientOf(request.body);
        const principal = request.principal();
        if (!principal.clients.includes(client)) throw problems.forbidden(`${principal.id} does not serve client ${client}`, { field: 'body.client' });
        // A run's own sampling overrides the client's QA policy: the policy's keepers only.
        if (process.qaPolicies && (request.body as { qaSampling?: unknown }).qaSampling !== undefined && !hasAnyRole(principal, QA_POLICY_MANAGERS)) {
          throw problems.forbidden(`Only supervisors and process admins may set a run’s own QA sampling; without it the run takes ${client}’s QA policy`, { field: 'body.qaSampling' });
        }
        request.touchClient(client);
        const started = await runs.start(process, request.body, { idempotencyKey: request.headers['idempotency-key'], startedBy: principal.id });
        const url = `/runs/${started.runId}`;
        return reply.code(started.created ? 201 : 200).header('location', url).send({ ...started, process: process.name, url });
      },
    );
  }
};
