// Attended bots from a task: the trigger answers at once (202 with the run's link, or 200 with the
// run already going), and the link shows the run queued, running with its steps, done or failed
// with its evidence. The team's SSE feed carries each change, as the task's own update.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AttendedDesk } from '../attended/attended-desk';
import { attendedRunUrl } from '../attended/attended-desk';
import { AttendedRunDetail, AttendedRunParams, BotTriggerBody, BotTriggerReply } from '../attended/schemas';
import * as s from '../schemas';
import { withProblems } from './responses';
import { TASK_WORKERS } from '../auth/route-roles';

export interface TaskBotRoutesOptions {
  attended: AttendedDesk;
}

const artifactLink = (key: string | undefined): string | undefined => (key ? `/artifacts/${key.split('/').map(encodeURIComponent).join('/')}` : undefined);

export const taskBotRoutes: FastifyPluginAsyncZod<TaskBotRoutesOptions> = async (app, { attended }) => {
  const config = { auth: { roles: TASK_WORKERS } };

  app.post(
    '/tasks/:taskId/bots',
    {
      config,
      schema: {
        tags: ['tasks'],
        params: s.TaskIdParam,
        summary: 'Start an attended bot from the task; answers at once, the bot runs on the bot workers',
        description:
          '202 when this call queued a run, 200 when the same bot is already queued or running on the task (the same run, never a second one) ' +
          'or when an Idempotency-Key repeats an earlier call (its first answer). Follow `url` for progress and outcome; the result also lands in ' +
          'the task’s context.bots. 429 past the attended runs a task, or an operator on it, may start.',
        headers: z.object({ 'idempotency-key': s.IdempotencyKey }),
        body: BotTriggerBody,
        response: withProblems({ 200: BotTriggerReply, 202: BotTriggerReply }),
      },
    },
    async (request, reply) => {
      const { taskId } = request.params;
      const { created, result } = await attended.trigger(taskId, request.body, request.actor(), request.headers['idempotency-key']);
      const url = attendedRunUrl(taskId, result.attendedRunId);
      return reply.code(created ? 202 : 200).header('location', url).send({ attendedRunId: result.attendedRunId, taskId, bot: result.bot, status: result.status, url });
    },
  );

  app.get(
    '/tasks/:taskId/bots/:attendedRunId',
    {
      config,
      schema: {
        tags: ['tasks'],
        params: AttendedRunParams,
        summary: 'One attended bot run: queued, running (with the bot’s steps), done (with its result) or failed (why, with evidence)',
        response: withProblems({ 200: AttendedRunDetail }),
      },
    },
    async (request) => {
      const { taskId, attendedRunId } = request.params;
      const { run, task } = await attended.read(taskId, attendedRunId, request.actor());
      request.touchClient(task.client);
      const recorded = (task.context.bots as Record<string, { attendedRunId?: string; result?: unknown }> | undefined)?.[run.bot];
      const evidence = run.failure?.evidence;
      return {
        ...run,
        url: attendedRunUrl(taskId, attendedRunId),
        ...(run.status === 'done' && recorded?.attendedRunId === attendedRunId ? { result: recorded.result } : {}),
        ...(evidence ? { links: { screenshot: artifactLink(evidence.screenshot), trace: artifactLink(evidence.trace) } } : {}),
      };
    },
  );
};
