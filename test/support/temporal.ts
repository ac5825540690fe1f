// Connections to the test stack's Temporal, and small waiting helpers.
import { inject } from 'vitest';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, type TandemConfig } from '../../platform/config';
import { connectClient, temporalDataConverter } from '../../platform/temporal';

// Worker state changes at INFO drown the test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this test process
}

export function stackEnv(): Record<string, string> {
  return inject('stackEnv');
}

/** The configuration the stack's own processes get (as the e2e tests' worker processes do). */
export function stackConfig(): TandemConfig {
  return loadConfig({ ...process.env, ...stackEnv() });
}

/** A client with the stack's data converter: payloads encrypted with the stack's keys. */
export async function temporalClient(namespace = stackEnv().TEMPORAL_NAMESPACE!): Promise<{ client: Client; close: () => Promise<void> }> {
  return connectClient(stackConfig(), { namespace });
}

/** For in-process Workers: `Worker.create({ dataConverter: workerDataConverter(), … })`. */
export function workerDataConverter(): DataConverter | undefined {
  return temporalDataConverter(stackConfig());
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
