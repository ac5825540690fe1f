// Every gRPC call a Temporal client makes goes through the Temporal circuit: refused at once while
// Temporal is known to be away, given a deadline otherwise, and its failures tell the circuit. The
// SDK's own retries stay (inside), but never retry past the deadline or into an open circuit.
import { InterceptingCall, ListenerBuilder, Metadata, RequesterBuilder, status as GrpcStatus, type Interceptor, type StatusObject } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { ConnectionLike, ConnectionOptions } from '@temporalio/client';
import type { Logger } from 'pino';
import { DependencyCircuit, type CircuitOptions } from './circuit';

/** Per-call deadlines (ms). Reads answer from the server alone; queries and Updates need a worker
 *  too, so they get longer; a client's own timeout should be above the longest (10 s). */
export const TEMPORAL_DEADLINES = {
  default: 5_000,
  /** QueryWorkflow, UpdateWorkflowExecution, PollWorkflowExecutionUpdate, visibility lists, history (result) reads. */
  slow: 10_000,
} as const;

const SLOW_METHODS = /\/(QueryWorkflow|UpdateWorkflowExecution|PollWorkflowExecutionUpdate|ListWorkflowExecutions|CountWorkflowExecutions|GetWorkflowExecutionHistory|ExecuteMultiOperation)$/;
/** Statuses that mean the server is away (connection refused or dropped), not that it answered no. */
const CONNECTION_CODES = new Set([GrpcStatus.UNAVAILABLE]);

export function deadlineFor(method: string): number {
  return SLOW_METHODS.test(method) ? TEMPORAL_DEADLINES.slow : TEMPORAL_DEADLINES.default;
}

/** grpc-js backs off reconnecting up to 2 minutes by default: after an outage, Temporal would be
 *  back long before the client tried again. */
const RECONNECT = { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1_000 };

/** The Temporal circuit of a client connection, and the options that connection needs; call
 *  `watch(connection)` once it exists (the probe is a GetSystemInfo on it). */
export function temporalCircuit(
  log?: Logger,
  options: Pick<CircuitOptions, 'closedProbeEveryMs'> = {},
): { circuit: DependencyCircuit; connection: Partial<ConnectionOptions>; watch(connection: ConnectionLike): void } {
  let target: ConnectionLike | undefined;
  const circuit = new DependencyCircuit({
    ...options,
    name: 'temporal',
    log,
    probe: (timeoutMs) => {
      if (!target) return Promise.reject(new Error('no connection yet'));
      const connection = target;
      // The call's own deadline ends before the probe gives up on it, so no retry of it is still
      // pending (on a connection its owner may close) once the probe has answered.
      return connection.withDeadline(Date.now() + Math.round(timeoutMs * 0.8), () => connection.workflowService.getSystemInfo({}));
    },
  });
  return {
    circuit,
    connection: { interceptors: temporalInterceptors(circuit), channelArgs: RECONNECT },
    watch: (connection) => {
      target = connection;
      circuit.start();
    },
  };
}

/** The connection's interceptors: the circuit (outside), then the SDK's retries (inside). */
export function temporalInterceptors(circuit: DependencyCircuit): Interceptor[] {
  const retries = defaultGrpcRetryOptions({ maxAttempts: 4 });
  const retry = makeGrpcRetryInterceptor({
    delayFunction: retries.delayFunction,
    // A refused connection is an outage: no point retrying it for 20 s (the SDK's default).
    retryableDecider: (attempt, status) => circuit.isClosed && status.code !== GrpcStatus.UNAVAILABLE && retries.retryableDecider(attempt, status),
  });
  return [circuitInterceptor(circuit), retry];
}

function circuitInterceptor(circuit: DependencyCircuit): Interceptor {
  return (options, nextCall) => {
    const method = options.method_definition.path;
    // Half-open lets the circuit's own probe (GetSystemInfo) through, nothing else.
    if (circuit.state === 'open' || (circuit.state === 'half-open' && !method.endsWith('/GetSystemInfo'))) return refused(nextCall(options), circuit);
    const own = Date.now() + deadlineFor(method);
    const given = options.deadline instanceof Date ? options.deadline.getTime() : typeof options.deadline === 'number' ? options.deadline : Infinity;
    const deadline = new Date(Math.min(given, own));
    const requester = new RequesterBuilder()
      .withStart((metadata, listener, next) => {
        next(
          metadata,
          new ListenerBuilder()
            .withOnReceiveStatus((status: StatusObject, forward) => {
              if (status.code === GrpcStatus.OK) circuit.succeeded();
              else if (CONNECTION_CODES.has(status.code)) circuit.tripped(`${method}: ${status.details}`);
              else if (status.code === GrpcStatus.DEADLINE_EXCEEDED) circuit.suspect(`${method}: no answer before its deadline`);
              else circuit.succeeded(); // an answer (NOT_FOUND, FAILED_PRECONDITION…) is a live server
              forward(status);
            })
            .build(),
        );
      })
      .build();
    return new InterceptingCall(nextCall({ ...options, deadline }), requester);
  };
}

/** A call that never leaves the process: UNAVAILABLE at once, saying the circuit is open. */
function refused(next: ReturnType<Parameters<Interceptor>[1]>, circuit: DependencyCircuit): InterceptingCall {
  const details = `temporal circuit open since ${circuit.since.toISOString()}: not sent`;
  const requester = new RequesterBuilder()
    .withStart((_metadata, listener) => {
      setImmediate(() => listener.onReceiveStatus({ code: GrpcStatus.UNAVAILABLE, details, metadata: new Metadata() }));
    })
    .withSendMessage(() => undefined)
    .withHalfClose(() => undefined)
    .withCancel(() => undefined)
    .build();
  return new InterceptingCall(next, requester);
}

/** True when a Temporal client error was refused by the open circuit (nothing was sent). */
export function refusedByCircuit(err: unknown): boolean {
  for (let e = err as { cause?: unknown; details?: unknown; message?: unknown } | undefined, i = 0; e && i < 6; e = e.cause as typeof e, i++) {
    const text = `${String(e.details ?? '')} ${String(e.message ?? '')}`;
    if (text.includes('temporal circuit open')) return true;
  }
  return false;
}
