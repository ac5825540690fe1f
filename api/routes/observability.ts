// What operations watch: Prometheus metrics, liveness (the process answers) and readiness (it can
// reach Temporal and Redis, so a load balancer sends it traffic). Also the request log context:
// every log line of a request that names a run or a task carries its id.
import { z } from 'zod';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Dependencies } from '../../platform/dependencies/outage';
import { runIdOfTask } from '../../workflows/engine/messages';
import { METRICS_CONTENT_TYPE, renderMetrics, type Registry } from '../../platform/metrics/registry';
import { scrapeAllowed } from '../../platform/metrics/server';
import { problems } from '../problems';
import { withProblems } from './responses';

export interface ObservabilityRoutesOptions {
  /** The API's circuits: readiness runs their probes and reports their states. */
  dependencies: Dependencies;
  metrics: Registry;
  /** TANDEM_METRICS_TOKEN: when set, GET /metrics wants `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

const Live = z.object({ status: z.literal('ok') });
const Check = z.enum(['ok', 'down']);
const DependencyState = z.object({
  state: z.enum(['closed', 'open', 'half-open']).describe('closed: answering; open: away (calls answered 503 at once); half-open: being probed'),
  since: z.string().describe('When it entered this state (ISO 8601): since when it is away, or back'),
  lastError: z.string().optional(),
});
const Ready = z.object({
  status: z.literal('ok'),
  checks: z.object({ temporal: Check, redis: Check }),
  dependencies: z.object({ temporal: DependencyState, redis: DependencyState }),
});
const MetricsText = { schema: z.string().describe('Prometheus text exposition format 0.0.4') };

export const liveness = async () => ({ status: 'ok' as const });
export const livenessSchema = { tags: ['health'], security: [], response: { 200: Live } };

export const observabilityRoutes: FastifyPluginAsyncZod<ObservabilityRoutesOptions> = async (app, options) => {
  const { dependencies, metrics, metricsToken } = options;

  app.get('/health/live', { config: { auth: 'public' }, schema: { summary: 'Liveness: the process is up (checks nothing else)', ...livenessSchema } }, liveness);

  app.get(
    '/health/ready',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Readiness: Temporal and Redis answer',
        description: '503 problem+json with `checks` naming what is down and `dependencies` saying since when (each dependency’s circuit: closed, open, half-open).',
        tags: ['health'],
        security: [],
        response: withProblems({ 200: Ready }),
      },
    },
    async (_request, reply) => {
      // A fresh probe of each (at most the probe's own 1 s), then what the circuits know.
      await Promise.all([dependencies.temporal.probeNow(), dependencies.redis.probeNow()]);
      const checks = { temporal: dependencies.temporal.isClosed ? 'ok' : 'down', redis: dependencies.redis.isClosed ? 'ok' : 'down' } as const;
      const states = { temporal: dependencies.temporal.status(), redis: dependencies.redis.status() };
      const down = Object.entries(checks).filter(([, state]) => state === 'down').map(([name]) => name);
      if (down.length) {
        reply.header('retry-after', String(Math.max(dependencies.temporal.retryAfterS, dependencies.redis.retryAfterS)));
        throw problems.unavailable(`Not ready: ${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} down`, { checks, dependencies: states });
      }
      return { status: 'ok' as const, checks, dependencies: states };
    },
  );

  app.get(
    '/metrics',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Prometheus metrics',
        description: 'Open to scrapers, unless the server sets TANDEM_METRICS_TOKEN: then send `Authorization: Bearer <that token>`. Runs and task queues are read at scrape time (cached for TANDEM_METRICS_CACHE_MS).',
        tags: ['health'],
        security: [],
        response: withProblems({ 200: { description: 'The metrics', content: { 'text/plain': MetricsText } } }),
      },
    },
    async (request, reply) => {
      if (!scrapeAllowed(request.headers.authorization, metricsToken)) {
        reply.header('www-authenticate', 'Bearer');
        throw problems.unauthenticated('Send the metrics token: Authorization: Bearer <TANDEM_METRICS_TOKEN>', { field: 'headers.authorization' });
      }
      return reply.type(METRICS_CONTENT_TYPE).header('cache-control', 'no-store').send(await renderMetrics(metrics));
    },
  );
};

/** Every log line of a request on a run or task route carries `runId` and `taskId` (from the
 *  path), next to Fastify's `reqId`; the reply echoes the request id for correlation. */
export const logContext = fp(async (app) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const params = request.params as Record<string, unknown> | undefined;
    const taskId = typeof params?.taskId === 'string' ? params.taskId : undefined;
    const runId = typeof params?.runId === 'string' ? params.runId : taskId ? runIdOfTask(taskId) : undefined;
    if (!runId && !taskId) return;
    const log = request.log.child({ ...(runId ? { runId } : {}), ...(taskId ? { taskId } : {}) });
    request.log = log;
    reply.log = log;
  });
});
