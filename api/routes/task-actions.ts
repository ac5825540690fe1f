// One task: its detail (from its run, the source of truth) and everything an operator can do to
// it. Each action is one Workflow Update; the run's validator refuses what it must.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { catalogue } from '../../platform/process-catalogue';
import type { TaskForm } from '../../workflows/engine/task-form';
import * as m from '../../workflows/engine/messages';
import type { ProcessRuns } from '../process-runs';
import type { TaskDesk } from '../task-desk';
import { Roster } from '../../inbox/roster';
import { problems } from '../problems';
import * as s from '../schemas';
import { withProblems } from './responses';
import { TASK_SUPERVISORS, TASK_WORKERS } from '../auth/route-roles';

export interface TaskActionRoutesOptions {
  desk: TaskDesk;
  runs: ProcessRuns;
  roster: Roster;
}

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;

function formOf(form: TaskForm, context: Record<string, unknown>) {
  let prefill: Record<string, Record<string, unknown>> = {};
  try {
    prefill = form.prefill?.(context) ?? {};
  } catch {
    // A context of another shape (an older run's) gets an empty form, as before prefilling.
  }
  return {
    kind: form.kind,
    jsonSchema: json(form.decision),
    actions: Object.fromEntries(form.decision.options.map((o) => [o.shape.action.value as string, json(o.shape.data)])),
    ...(Object.keys(prefill).length ? { prefill } : {}),
  };
}

export const taskActionRoutes: FastifyPluginAsyncZod<TaskActionRoutesOptions> = async (app, { desk, runs, roster }) => {
  const base = { tags: ['tasks'], params: s.TaskIdParam };
  const workers = { auth: { roles: TASK_WORKERS } };

  app.get('/tasks/:taskId', { config: workers, schema: { ...base, summary: 'A task with its context, form schemas and the run’s steps so far', response: withProblems({ 200: s.TaskDetail }) } }, async (request) => {
    const task = await desk.task(request.params.taskId, request.actor());
    request.touchClient(task.client);
    const form = catalogue.findTaskForm(task.kind);
    const view = (await runs.read(task.runId).catch(() => undefined))?.view;
    return {
      ...task,
      ...(form ? { form: formOf(form, task.context) } : {}),
      ...(view ? { run: { runId: view.runId, phase: view.phase, steps: view.steps } } : {}),
    };
  });

  app.post(
    '/tasks/:taskId/complete',
    {
      config: workers,
      schema: {
        ...base,
        summary: 'Decide a task: approve, reject, correct… with the task form’s data',
        description: 'The run validates the decision before recording it; the reply returns once it is recorded. Send the leaseId from take-next/claim to be refused if your lease lapsed.',
        headers: z.object({ 'idempotency-key': s.IdempotencyKey }),
        body: s.CompleteTaskBody,
        response: withProblems({ 200: s.CompleteTaskReply }),
      },
    },
    async (request) => {
      const result = await desk.decide(request.params.taskId, request.body, request.actor(), request.headers['idempotency-key']);
      request.touchClient(result.decidedBy.client);
      return result;
    },
  );

  app.post(
    '/tasks/bulk-complete',
    {
      config: workers,
      schema: {
        tags: ['tasks'],
        summary: 'Decide several tasks the same way (e.g. approve a selection); each succeeds or fails on its own',
        body: s.BulkCompleteBody,
        response: withProblems({ 200: s.BulkCompleteReply }),
      },
    },
    async (request) => {
      const { taskIds, action, data } = request.body;
      const results = await desk.bulkComplete([...new Set(taskIds)], { action, data }, request.actor());
      request.touchClient(...results.flatMap((r) => (r.ok ? [r.result.decidedBy.client] : [])));
      return { results };
    },
  );

  const transition = <B extends z.ZodType, R extends m.TaskRequest>(
    path: string,
    summary: string,
    body: B,
    def: Parameters<TaskDesk['act']>[0] & { name: string },
    toRequest: (b: z.infer<B>, actor: m.Actor, taskId: string) => R,
    roles = TASK_WORKERS,
  ) =>
    app.post(path, { config: { auth: { roles } }, schema: { ...base, summary, body, response: withProblems({ 200: s.TaskView }) } }, async (request) => {
      const actor = request.actor();
      const taskId = (request.params as { taskId: string }).taskId;
      const task = await desk.act(def as never, toRequest(request.body as z.infer<B>, actor, taskId));
      request.touchClient(task.client);
      return task;
    });

  transition('/tasks/:taskId/claim', 'Claim the task with a lease', s.ClaimBody.default({}), m.claimTaskUpdate, (b, actor, taskId) => ({ taskId, actor, ...b }));
  transition('/tasks/:taskId/renew', 'Renew your lease on the task', s.LeaseBody, m.renewLeaseUpdate, (b, actor, taskId) => ({ taskId, actor, ...b }));
  transition('/tasks/:taskId/release', 'Put the task back in its queue', s.ReleaseBody.default({}), m.releaseTaskUpdate, (b, actor, taskId) => ({ taskId, actor, ...b }));
  transition('/tasks/:taskId/reassign', 'Move the task to another team or operator (supervisors)', s.ReassignBody, m.reassignTaskUpdate, (b, actor, taskId) => ({ taskId, actor, ...b }), TASK_SUPERVISORS);
  transition('/tasks/:taskId/comments', 'Comment on the task', s.CommentBody, m.commentTaskUpdate, (b, actor, taskId) => ({ taskId, actor, ...b }));
  transition('/tasks/:taskId/labels', 'Add or remove labels', s.LabelBody, m.labelTaskUpdate, (b, actor, taskId) => ({ taskId, actor, ...b }));

  app.post(
    '/tasks/:taskId/escalate',
    { config: workers, schema: { ...base, summary: 'Escalate the task to the team’s escalation team, one priority higher', body: s.EscalateBody, response: withProblems({ 200: s.TaskView }) } },
    async (request) => {
      const actor = request.actor();
      const task = await desk.task(request.params.taskId, actor);
      const toTeam = roster.team(task.team)?.escalatesTo;
      if (!toTeam) throw problems.invalidTaskRequest(`Team ${task.team} has no escalation team`);
      request.touchClient(task.client);
      return desk.act(m.escalateTaskUpdate, { taskId: task.taskId, actor, reason: request.body.reason, toTeam });
    },
  );
};
