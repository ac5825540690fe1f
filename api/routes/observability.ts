// What operations watch: Prometheus metrics, liveness (the process answers) and readiness (it can
// reach Temporal and Redis, so a load balancer sends it traffic). Also the request log context:
// every log line of a request that names a run or a task carries its id.
import { z } from 'zod';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import { runIdOfTask } from '../../workflows/engine/messages';
import { METRICS_CONTENT_TYPE, renderMetrics, type Registry } from '../../platform/metrics/registry';
import { scrapeAllowed } from '../../platform/metrics/server';
import { InFlight } from '../../platform/in-flight';
import { problems } from '../problems';
import { withProblems } from './responses';

export interface ObservabilityRoutesOptions {
  temporal: Client;
  redis: Redis;
  metrics: Registry;
  /** TANDEM_METRICS_TOKEN: when set, GET /metrics wants `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** How long readiness waits for each backing service; default 2 s. */
  checkTimeoutMs?: number;
}

const Live = z.object({ status: z.literal('ok') });
const Check = z.enum(['ok', 'down']);
const Ready = z.object({ status: z.literal('ok'), checks: z.object({ temporal: Check, redis: Check }) });
const MetricsText = { schema: z.string().describe('Prometheus text exposition format 0.0.4') };

export const liveness = async () => ({ status: 'ok' as const });
export const livenessSchema = { tags: ['health'], security: [], response: { 200: Live } };

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const observabilityRoutes: FastifyPluginAsyncZod<ObservabilityRoutesOptions> = async (app, options) => {
  const { temporal, redis, metrics, metricsToken } = options;
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  // A probe that missed its timeout may still be retrying: closing the API waits for it, so the
  // Temporal connection closed after the API has no retry left to start.
  const probes = new InFlight();
  app.addHook('onClose', () => probes.settled());

  app.get('/health/live', { config: { auth: 'public' }, schema: { summary: 'Liveness: the process is up (checks nothing else)', ...livenessSchema } }, liveness);

  app.get(
    '/health/ready',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Readiness: Temporal and Redis answer',
        description: '503 problem+json with `checks` naming what is down.',
        tags: ['health'],
        security: [],
        response: withProblems({ 200: Ready }),
      },
    },
    async (request) => {
      const check = async (name: string, probe: () => Promise<unknown>): Promise<z.infer<typeof Check>> => {
        try {
          await within(timeoutMs, probes.track(probe()));
          return 'ok';
        } catch (err) {
          request.log.warn({ err, service: name }, 'readiness: service down');
          return 'down';
        }
      };
      const [temporalCheck, redisCheck] = await Promise.all([
        check('temporal', () => temporal.connection.withDeadline(Date.now() + timeoutMs, () => temporal.workflowService.getSystemInfo({}))),
        check('redis', () => redis.ping()),
      ]);
      const checks = { temporal: temporalCheck, redis: redisCheck };
      const down = Object.entries(checks).filter(([, state]) => state === 'down').map(([name]) => name);
      if (down.length) throw problems.unavailable(`Not ready: ${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} down`, { checks });
      return { status: 'ok' as const, checks };
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
