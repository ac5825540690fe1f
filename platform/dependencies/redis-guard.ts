// Redis connections that fail fast: a command sent while the connection is down fails at once
// (no offline queue), one that gets no answer fails after REDIS_COMMAND_TIMEOUT_MS, and the
// connection's own events drive the Redis circuit. ioredis reconnects by itself; the circuit
// closes on its `ready`.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { TandemConfig } from '../config';
import { redisOptions } from '../tls';
import { DependencyCircuit, type CircuitOptions } from './circuit';

/** The deadline of one Redis command (ms): Redis answers in well under a millisecond when it is up. */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/** For request-serving connections (the API, activities): fail, don't wait. */
export const FAIL_FAST_REDIS: RedisOptions = {
  enableOfflineQueue: false,
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  maxRetriesPerRequest: 1,
  // Reconnect quickly and keep trying for ever: the circuit, not the connection, tells callers.
  retryStrategy: (times) => Math.min(100 * times, 1_000),
};

/** `redis`: the configured URL, or the whole Redis configuration (its TLS files too). */
export function failFastRedis(redis: string | Pick<TandemConfig['redis'], 'url' | 'tls'>): Redis {
  return typeof redis === 'string' ? new Redis(redis, FAIL_FAST_REDIS) : new Redis(redis.url, redisOptions(redis, FAIL_FAST_REDIS));
}

const OUTAGE_MESSAGE = /Stream isn't writeable|Connection is closed|Command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|max retries per request|Reached the max retries|connect ENETUNREACH|Socket closed unexpectedly/i;

/** True when an error is Redis being away (not a bad command or a script's own error). */
export function isRedisOutage(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string } | undefined;
  if (!e) return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return OUTAGE_MESSAGE.test(`${e.code ?? ''} ${e.message ?? ''}`);
}

/** The Redis circuit of one connection: its events open and close it, and a PING probes it. */
export function redisCircuit(redis: Redis, options: Omit<CircuitOptions, 'name' | 'probe'> & { log?: Logger } = {}): DependencyCircuit {
  const circuit = new DependencyCircuit({ ...options, name: 'redis', probe: () => redis.ping() });
  redis.on('ready', () => circuit.succeeded());
  redis.on('close', () => circuit.tripped('connection closed'));
  // Without a listener ioredis prints every failed reconnect; the circuit logs the change once.
  redis.on('error', (err: Error) => {
    if (isRedisOutage(err)) circuit.tripped(err.message);
    else options.log?.warn({ err }, 'redis error');
  });
  if (redis.status !== 'ready' && redis.status !== 'connecting' && redis.status !== 'connect') circuit.tripped(`connection ${redis.status}`);
  return circuit.start();
}
