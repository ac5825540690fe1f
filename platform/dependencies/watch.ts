// The circuits of a process that was handed its clients already made (tests, tools): they watch
// the connections and classify outages, without the Temporal connection's interceptors (which
// only a process that connects itself can install, see temporalCircuit).
import { connect } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DependencyCircuit } from './circuit';
import type { Dependencies } from './outage';
import { redisCircuit } from './redis-guard';
import { temporalCircuit } from './temporal-guard';

/** Whether something accepts connections at host:port. A gRPC call would do better, but on a
 *  connection we do not own the SDK's retry timers could outlive its owner's close(). */
function tcpProbe(address: string): (timeoutMs: number) => Promise<void> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(address.slice(at + 1));
  return (timeoutMs) =>
    new Promise((resolve, reject) => {
      const socket = connect({ host, port, timeout: timeoutMs });
      socket.once('connect', () => (socket.destroy(), resolve()));
      socket.once('timeout', () => (socket.destroy(), reject(new Error(`no answer from ${address}`))));
      socket.once('error', (err) => reject(err));
    });
}

/** A stand-in handed no connection at all (a unit test's fake): nothing to watch, so it stays closed. */
function unwatched(name: 'temporal' | 'redis', log?: Logger): DependencyCircuit {
  return new DependencyCircuit({ name, log, probe: async () => undefined, closedProbeEveryMs: 0 }).start();
}

export function watchDependencies(temporal: Client, redis: Redis, log?: Logger): Dependencies & { stop(): Promise<void> } {
  // No background probe while closed: the owner of these connections may close them at any time.
  const connection = (temporal as { connection?: Client['connection'] }).connection;
  const address = (connection as { options?: { address?: string } } | undefined)?.options?.address;
  let circuit: DependencyCircuit;
  if (!connection) {
    circuit = unwatched('temporal', log);
  } else if (address && /:\d+$/.test(address)) {
    circuit = new DependencyCircuit({ name: 'temporal', log, probe: tcpProbe(address), closedProbeEveryMs: 0 }).start();
  } else {
    const t = temporalCircuit(log, { closedProbeEveryMs: 0 });
    t.watch(connection);
    circuit = t.circuit;
  }
  const deps = { temporal: circuit, redis: redis ? redisCircuit(redis, { log, closedProbeEveryMs: 0 }) : unwatched('redis', log) };
  return { ...deps, stop: async () => void (await Promise.all([deps.temporal.stop(), deps.redis.stop()])) };
}
