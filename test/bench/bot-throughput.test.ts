// Keeps bench/bot-throughput.ts from rotting: its core with a handful of items per mode on the test
// stack's Temporal, real Chromium and the in-process claims sandbox. Figures are not judged here
// (too few items to be a measurement); that every item worked and each mode was measured is.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { BOT_MODES, runBotBench } from '../../bench/lib/bot-bench';
import { LoginSessions } from '../../bots/runtime/login-sessions';
import { stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

let connection: NativeConnection;
let client: Client;
let closeClient: () => Promise<void>;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(stackEnv().REDIS_URL!);
  connection = await workerConnection();
  ({ client, close: closeClient } = await temporalClient());
});
afterAll(async () => {
  await closeClient?.();
  await connection?.close();
  redis?.disconnect();
});

describe('bot throughput bench', () => {
  it('runs the extract step pooled, with a browser per item and bare, and every item reads its claim', async () => {
    const items = 4;
    const result = await runBotBench({
      items,
      concurrency: 2,
      warmup: 0,
      rounds: 2,
      temporal: { connection, namespace: stackEnv().TEMPORAL_NAMESPACE!, dataConverter: workerDataConverter() },
      client,
      // The login gate in the path, as the bench has it.
      sessions: new LoginSessions(redis, { prefix: uniqueId('test-bench-bots') }),
    });
    expect(result.itemFailures).toEqual([]);
    expect(result.order).toEqual(['pooled', 'launch-per-item', 'bare', 'bare', 'launch-per-item', 'pooled']);
    for (const mode of BOT_MODES) {
      const figures = result.modes[mode];
      expect(figures, mode).toMatchObject({ items, failed: 0 });
      expect(figures.itemsPerSecond, mode).toBeGreaterThan(0);
      expect(figures.latency.p50, mode).toBeGreaterThan(0);
      expect(figures.latency.p95, mode).toBeGreaterThanOrEqual(figures.latency.p50);
    }
    // The two pools did what their names say.
    expect(result.browsersLaunched).toEqual({ pooled: 1, launchPerItem: items });
    // Kept sessions: at most one sign-in per login and lane; the rest reused a signed-in context.
    // (the second pooled round finds the first round's contexts kept).
    expect(result.pooledContexts.reused).toBeGreaterThan(0);
    expect(result.pooledContexts.fresh).toBe(items - result.pooledContexts.reused);
    expect(result.ratios.pooledOverLaunchPerItem).toBeGreaterThan(0);
    expect(result.ratios.pooledOverBare).toBeGreaterThan(0);
  }, 120_000);
});
