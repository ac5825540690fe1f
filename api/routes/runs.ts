// Runs: what a run is doing, what it waits on and since when, its SLA, open tasks and outcome.
import type { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProcessRuns, RunSnapshot } from '../process-runs';
import { RunDetail, RunIdParam, RunStatus } from '../schemas';
import { withProblems } from './responses';
import { ANYONE } from '../auth/route-roles';
import { problems } from '../problems';

export const runRoutes: FastifyPluginAsyncZod<{ runs: ProcessRuns; now?: () => number }> = async (app, { runs, now = Date.now }) => {
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
  };
}
