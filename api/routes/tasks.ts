// A team's queue: list with filters (from the Redis index), take the next task, and a live feed
// of changes (Server-Sent Events). Also who the caller is.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { TaskFeed } from '../../inbox/task-feed';
import type { HumanTaskView } from '../../workflows/engine/messages';
import type { TaskDesk } from '../task-desk';
import { problems } from '../problems';
import { OperatorView, QueueSource, TaskPage, TaskQueryString, TaskView, TeamParam } from '../schemas';
import { QueueReader } from '../queue-reader';
import { ANYONE, TASK_WORKERS } from '../auth/route-roles';
import { withProblems } from './responses';

export interface QueueRoutesOptions {
  desk: TaskDesk;
  feed: TaskFeed;
  /** Lists and take-next that go on when Redis or Temporal is away. */
  reader: QueueReader;
}

const KEEPALIVE_MS = 15_000;

export const queueRoutes: FastifyPluginAsyncZod<QueueRoutesOptions> = async (app, { desk, feed, reader }) => {
  app.get(
    '/me',
    { config: { auth: { roles: ANYONE } }, schema: { summary: 'Who is calling: roles, teams, clients', tags: ['tasks'], response: withProblems({ 200: OperatorView }) } },
    async (request) => {
      const { id, name, teams, clients, roles } = request.principal();
      return { operatorId: id, name, teams, clients, roles };
    },
  );

  app.get(
    '/teams/:team/tasks',
    {
      config: { auth: { roles: TASK_WORKERS } },
      schema: {
        summary: 'A team’s tasks, most urgent first, with filters and cursor pagination',
        tags: ['tasks'],
        params: TeamParam,
        querystring: TaskQueryString,
        response: withProblems({ 200: TaskPage }),
      },
    },
    async (request) => {
      const actor = request.actor();
      const { team } = request.params;
      if (!actor.teams.includes(team)) throw problems.forbidden(`${actor.operatorId} is not in team ${team}`);
      const { assignee, ...query } = request.query;
      try {
        const page = await reader.list(team, { ...query, assignee: assignee === 'me' ? actor.operatorId : assignee, clients: actor.clients, now: Date.now() });
        request.touchClient(...page.tasks.map((t) => t.client));
        return { team, ...page };
      } catch (err) {
        if (err instanceof RangeError) throw problems.invalidRequest([{ field: 'querystring.cursor', message: err.message }]);
        throw err;
      }
    },
  );

  app.post(
    '/teams/:team/take-next',
    {
      config: { auth: { roles: TASK_WORKERS } },
      schema: {
        summary: 'Claim the most urgent task of the team this operator may take',
        description:
          'Two operators never get the same task. The reply’s task.claim.leaseId is the lease; renew it while working. With Redis away or rebuilding, the task is found in Temporal visibility (`source: temporal`).',
        tags: ['tasks'],
        params: TeamParam,
        body: z.object({ leaseMs: z.number().int().min(1_000).max(3_600_000).optional() }).strict().default({}),
        response: withProblems({ 200: z.object({ task: TaskView.nullable(), ...QueueSource }) }),
      },
    },
    async (request) => {
      const actor = request.actor();
      const { team } = request.params;
      if (!actor.teams.includes(team)) throw problems.forbidden(`${actor.operatorId} is not in team ${team}`);
      const { task, ...source } = await reader.takeNext(desk, team, actor, request.body.leaseMs);
      if (task) request.touchClient(task.client);
      return { task, ...source };
    },
  );

  app.get(
    '/teams/:team/events',
    {
      config: { auth: { roles: TASK_WORKERS, queryToken: true } },
      schema: {
        summary: 'Live changes to the team’s queue (Server-Sent Events)',
        description: '`event: task` with `{"type":"upserted","task":…}` or `{"type":"removed","taskId":…}`. EventSource cannot send headers: pass the token as `?access_token=`.',
        tags: ['tasks'],
        params: TeamParam,
        querystring: z.object({ access_token: z.string().max(4096).optional() }),
        response: withProblems({
          200: {
            description: 'The event stream (never ends); each event:',
            content: { 'text/event-stream': { schema: z.object({ event: z.enum(['ready', 'task']), data: z.string().describe('JSON') }) } },
          },
        }),
      },
    },
    async (request, reply) => {
      const actor = request.actor();
      const { team } = request.params;
      if (!actor.teams.includes(team)) throw problems.forbidden(`${actor.operatorId} is not in team ${team}`);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const send = (event: string, data: string) => out.write(`event: ${event}\ndata: ${data}\n\n`);
      const unsubscribe = await feed.subscribe(team, (message) => {
        const event = JSON.parse(message) as { type: string; task?: HumanTaskView };
        // Operators only see their own clients' tasks, live as in lists.
        if (event.task && !actor.clients.includes(event.task.client)) return;
        send('task', message);
      });
      send('ready', JSON.stringify({ team }));
      const keepalive = setInterval(() => out.write(': keepalive\n\n'), KEEPALIVE_MS);
      request.raw.on('close', () => {
        clearInterval(keepalive);
        void unsubscribe();
      });
    },
  );
};
