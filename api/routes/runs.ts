// Runs: what a run is doing, what it waits on and since when, its SLA, open tasks and outcome.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProcessRuns, RunSnapshot } from '../process-runs';
import { RunDetail, RunIdParam, RunStarted, RunStatus } from '../schemas';
import { actorOf } from '../auth/principal';
import type { ProcessDefinition } from '../../workflows/engine/process-definition';
import { withProblems } from './responses';
import { ANYONE, RUN_CANCELLERS, TASK_SUPERVISORS } from '../auth/route-roles';
import { problems } from '../problems';

const ReprocessBody = z.object({
  reason: z.string().trim().min(3).max(500).describe('Why the item is worked again; kept in the new run’s audit'),
});

const CancelBody = z.object({
  reason: z.string().trim().min(3).max(500).describe('Why the run is stopped (e.g. the client withdrew the claim); kept in its audit and handed to its compensation'),
});

export const runRoutes: FastifyPluginAsyncZod<{ runs: ProcessRuns; processes: readonly ProcessDefinition[]; now?: () => number }> = async (
  app,
  { runs, processes, now = Date.now },
) => {
  app.post(
    '/runs/:runId/reprocess',
    {
      config: { auth: { roles: TASK_SUPERVISORS } },
      schema: {
        summary: 'Work a business item again whose run already ended (supervisors, with a reason)',
        description:
          'Starts a new run of the same process with the earlier run’s input; its id is the item’s next attempt (`…:r2`). ' +
          'The reason and who asked are kept in the new run (its audit’s `started` entry). 409 while a run of the item is open.',
        tags: ['runs'],
        params: RunIdParam,
        body: ReprocessBody,
        response: withProblems({ 201: RunStarted }),
      },
    },
    async (request, reply) => {
      const principal = request.principal();
      const started = await runs.reprocess(processes, request.params.runId, { reason: request.body.reason, by: principal.id, clients: principal.clients });
      const url = `/runs/${started.runId}`;
      const process = processes.find((p) => started.runId.startsWith(`${p.name}:`))?.name ?? '';
      return reply.code(201).header('location', url).send({ ...started, process, url });
    },
  );

  app.post(
    '/runs/:runId/cancel',
    {
      config: { auth: { roles: RUN_CANCELLERS } },
      schema: {
        summary: 'Cancel a run (supervisors and process admins, with a reason)',
        description:
          'Stops the run at once through Temporal’s own cancellation: a bot step in flight is cancelled (and writes nothing after the cancel), ' +
          'its open tasks leave every inbox and later decisions on them answer 410, and the compensations its process declares for steps already ' +
          'done run once (ClaimReview reverses an adjudication it entered). 202 with the run as it is now; the same answer for a repeat while it is ' +
          'being cancelled; 409 `run-closed` naming its status once it has ended. Who, why and what was compensated: `cancellation`, and the audit.',
        tags: ['runs'],
        params: RunIdParam,
        body: CancelBody,
        response: withProblems({ 202: RunDetail }),
      },
    },
    async (request, reply) => {
      const principal = request.principal();
      const { snapshot, cancellation } = await runs.cancel(request.params.runId, { reason: request.body.reason, actor: actorOf(principal) });
      const detail = runDetail(snapshot, now());
      if (detail.client) request.touchClient(detail.client);
      return reply.code(202).send({ ...detail, cancellation: detail.cancellation ?? cancellation });
    },
  );

  app.get(
    '/runs/:runId',
    {
      config: { auth: { roles: ANYONE } },
      schema: {
        summary: 'Read a run: status, current step, what it waits on, SLA, open tasks, outcome',
        tags: ['runs'],
        params: RunIdParam,
        response: withProblems({ 200: RunDetail }),
      },
    },
    async (request) => {
      const { runId } = request.params;
      const detail = runDetail(await runs.read(runId), now());
      // Another client's run is as unknown as a missing one.
      if (!detail.client || !request.principal().clients.includes(detail.client)) throw problems.runNotFound(`No run ${runId}`);
      request.touchClient(detail.client);
      return detail;
    },
  );
};

export function runDetail(snapshot: RunSnapshot, nowMs: number): z.infer<typeof RunDetail> {
  const { description: d, view } = snapshot;
  const memo = d.memo as { process?: string } | undefined;
  const status = d.status.name.toLowerCase() as z.infer<typeof RunStatus>;
  const sla = view?.sla && {
    dueAt: view.sla.dueAt,
    remainingMs: Date.parse(view.sla.dueAt) - (d.closeTime?.getTime() ?? nowMs),
    breached: Date.parse(view.sla.dueAt) < (d.closeTime?.getTime() ?? nowMs),
    ...(view.sla.breachedAt ? { breachedAt: view.sla.breachedAt } : {}),
  };
  return {
    runId: d.workflowId,
    process: view?.process ?? memo?.process ?? d.type,
    client: view?.client,
    businessRef: view?.businessRef,
    status: RunStatus.safeParse(status).success ? status : 'running',
    phase: view?.phase,
    step: view?.step,
    waitingOn: status === 'running' ? view?.waitingOn : undefined,
    startedAt: d.startTime.toISOString(),
    closedAt: d.closeTime?.toISOString(),
    sla,
    steps: view?.steps ?? [],
    openTasks: status === 'running' ? (view?.openTasks ?? []) : [],
    ...(view?.batches?.length ? { batches: view.batches } : {}),
    outcome: snapshot.outcome,
    failure: snapshot.failure,
    ...(view?.cancellation ? { cancellation: view.cancellation } : {}),
  };
}
