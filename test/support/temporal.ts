// Connections to the test stack's Temporal, and small waiting helpers.
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';

// Worker state changes at INFO drown the test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this test process
}

export function stackEnv(): Record<string, string> {
  return inject('stackEnv');
}

export async function temporalClient(namespace = stackEnv().TEMPORAL_NAMESPACE!): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: stackEnv().TEMPORAL_ADDRESS! });
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}

export function workerConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: stackEnv().TEMPORAL_ADDRESS! });
}

/** Polls `probe` until it returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const uniqueId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
