// What a worker knows of Temporal and Redis: a circuit each, probed in the background, logged once
// per change and exported as metrics when the worker has an endpoint. The Temporal worker itself
// (sdk-core) keeps polling through an outage and resumes when the server is back; Redis clients
// reconnect by themselves. Activities that meet an outage fail and are retried by Temporal.
import type { NativeConnection } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DependencyCircuit } from '../platform/dependencies/circuit';
import { redisCircuit } from '../platform/dependencies/redis-guard';
import { dependencyMetrics } from '../platform/metrics/dependency-metrics';
import type { Registry } from '../platform/metrics/registry';

export interface WorkerDependencies {
  temporal?: DependencyCircuit;
  redis: DependencyCircuit;
  stop(): Promise<void>;
}

export function watchWorkerDependencies(options: { temporal?: NativeConnection; redis: Redis; log: Logger; metrics?: Registry }): WorkerDependencies {
  const { temporal: connection, log } = options;
  const temporal =
    connection &&
    new DependencyCircuit({
      name: 'temporal',
      log,
      probe: (timeoutMs) => connection.withDeadline(Date.now() + Math.round(timeoutMs * 0.8), () => connection.workflowService.getSystemInfo({})),
    }).start();
  const redis = redisCircuit(options.redis, { log });
  if (options.metrics) dependencyMetrics(options.metrics, temporal ? [temporal, redis] : [redis]);
  return { temporal, redis, stop: async () => void (await Promise.all([temporal?.stop(), redis.stop()])) };
}
