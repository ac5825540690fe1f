// Which dependency an error says is away, if any: a refused or failed Temporal call (gRPC
// UNAVAILABLE / DEADLINE_EXCEEDED, an Update whose RPC timed out) or a Redis connection error.
// Everything else is not an outage and is left to the caller.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { DependencyUnavailable, type DependencyCircuit, type DependencyName } from './circuit';
import { isRedisOutage } from './redis-guard';
import { refusedByCircuit } from './temporal-guard';

export interface Dependencies {
  temporal: DependencyCircuit;
  redis: DependencyCircuit;
}

type Chained = { name?: string; code?: unknown; details?: unknown; message?: string; cause?: unknown };

function grpcCode(err: unknown): { code: number; details: string } | undefined {
  for (let e = err as Chained | undefined, i = 0; e && i < 6; e = e.cause as Chained | undefined, i++) {
    if (typeof e.code === 'number' && typeof e.details === 'string') return { code: e.code, details: e.details };
  }
  return undefined;
}

function unavailable(name: DependencyName, deps: Partial<Dependencies> | undefined, notSent: boolean, cause: string): DependencyUnavailable {
  const circuit = deps?.[name];
  if (circuit) return circuit.unavailable(notSent, cause);
  return new DependencyUnavailable(name, new Date(), 2, notSent, `${name} is unavailable: ${cause}`);
}

/** The outage an error stands for, or undefined when it is an ordinary error. */
export function outageOf(err: unknown, deps?: Partial<Dependencies>): DependencyUnavailable | undefined {
  if (err instanceof DependencyUnavailable) return err;
  const e = err as Chained | undefined;
  if (e?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return unavailable('temporal', deps, false, 'the Update got no answer before its deadline');
  const grpc = grpcCode(err);
  if (grpc?.code === GrpcStatus.UNAVAILABLE) {
    const notSent = refusedByCircuit(err) || /ECONNREFUSED|No connection established|connect /i.test(grpc.details);
    return unavailable('temporal', deps, notSent, notSent ? 'connection refused' : grpc.details);
  }
  if (grpc?.code === GrpcStatus.DEADLINE_EXCEEDED) return unavailable('temporal', deps, false, 'no answer before the deadline');
  if (isRedisOutage(err)) {
    const notSent = /Stream isn't writeable|ECONNREFUSED|Connection is closed/i.test(e?.message ?? '');
    if (notSent) deps?.redis?.tripped(e?.message ?? 'redis error');
    else deps?.redis?.suspect(e?.message ?? 'redis error');
    return unavailable('redis', deps, notSent, e?.message ?? 'connection error');
  }
  return undefined;
}
