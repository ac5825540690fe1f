// Tasks: a team's inbox (from the Redis index), a task's detail and form (from its run), and the
// decision (a Workflow Update, so it is validated and recorded by the run itself).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { TaskIndex } from '../../inbox/task-index';
import { findTaskForm } from '../../workflows/processes';
import type { ProcessRuns } from '../process-runs';
import { problems } from '../problems';
import { CompleteTaskBody, CompleteTaskReply, IdempotencyKey, TaskDetail, TaskIdParam, TaskPage } from '../schemas';
import { withProblems } from './responses';

export interface TaskRoutesOptions {
  runs: ProcessRuns;
  index: TaskIndex;
}

const OperatorHeader = z.object({ 'x-operator-id': z.string().min(1).max(100).describe('The operator acting (until authentication lands)') });

export const taskRoutes: FastifyPluginAsyncZod<TaskRoutesOptions> = async (app, { runs, index }) => {
  app.get(
    '/teams/:team/tasks',
    {
      schema: {
        summary: 'A team’s open tasks, most urgent first',
        tags: ['tasks'],
        headers: OperatorHeader,
        params: z.object({ team: z.string().min(1).max(64).regex(/^[a-z0-9-]+$/) }),
        querystring: z.object({
          offset: z.coerce.number().int().min(0).max(100_000).default(0),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: withProblems({ 200: TaskPage }),
      },
    },
    async (request) => {
      const actor = request.actor();
      const { team } = request.params;
      if (!actor.teams.includes(team)) throw problems.forbidden(`${actor.operatorId} is not in team ${team}`);
      const { offset, limit } = request.query;
      const page = await index.listTeam(team, offset, limit);
      const tasks = page.tasks.filter((t) => actor.clients.includes(t.client));
      const next = offset + limit;
      return { team, tasks, total: page.total, ...(next < page.total ? { nextOffset: next } : {}) };
    },
  );

  app.get(
    '/tasks/:taskId',
    {
      schema: {
        summary: 'A task with its context and the JSON Schema of its form',
        tags: ['tasks'],
        headers: OperatorHeader,
        params: TaskIdParam,
        response: withProblems({ 200: TaskDetail }),
      },
    },
    async (request) => {
      const task = await runs.task(request.params.taskId, request.actor());
      const form = findTaskForm(task.kind);
      return { ...task, ...(form ? { form: { kind: form.kind, jsonSchema: z.toJSONSchema(form.decision, { io: 'input' }) as Record<string, unknown> } } : {}) };
    },
  );

  app.post(
    '/tasks/:taskId/complete',
    {
      schema: {
        summary: 'Decide a task: approve, reject, correct… with the task form’s data',
        description: 'The run validates the decision before recording it; the reply returns once it is recorded.',
        tags: ['tasks'],
        headers: OperatorHeader.extend({ 'idempotency-key': IdempotencyKey }),
        params: TaskIdParam,
        body: CompleteTaskBody,
        response: withProblems({ 200: CompleteTaskReply }),
      },
    },
    async (request) => runs.decide(request.params.taskId, request.body, request.actor(), request.headers['idempotency-key']),
  );
};
