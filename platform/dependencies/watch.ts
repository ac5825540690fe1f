// The circuits of a process that was handed its clients already made (tests, tools): they watch
// the connections and classify outages, without the Temporal connection's interceptors (which
// only a process that connects itself can install, see temporalCircuit).
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Dependencies } from './outage';
import { redisCircuit } from './redis-guard';
import { temporalCircuit } from './temporal-guard';

export function watchDependencies(temporal: Client, redis: Redis, log?: Logger): Dependencies & { stop(): void } {
  // No background probe while closed: the owner of these connections may close them at any time.
  const t = temporalCircuit(log, { closedProbeEveryMs: 0 });
  t.watch(temporal.connection);
  const deps = { temporal: t.circuit, redis: redisCircuit(redis, { log, closedProbeEveryMs: 0 }) };
  return { ...deps, stop: () => (deps.temporal.stop(), deps.redis.stop()) };
}
