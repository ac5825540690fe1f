// The real API, built in-process against the test stack's Temporal and Redis (requests go
// through inject(): no port needed).
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../../api/app';
import { TaskIndex } from '../../inbox/task-index';
import { stackEnv, temporalClient } from './temporal';
import { testAuth } from './auth';

export interface TestApi {
  app: FastifyInstance;
  redis: Redis;
  index: TaskIndex;
  close(): Promise<void>;
}

export async function startApi(redisPrefix: string): Promise<TestApi> {
  const { client, close } = await temporalClient();
  const redis = new Redis(stackEnv().REDIS_URL!);
  const index = new TaskIndex(redis, { prefix: redisPrefix });
  const app = await buildApp({ temporal: client, index, auth: testAuth() });
  return {
    app,
    redis,
    index,
    async close() {
      await app.close();
      await redis.quit();
      await close();
    },
  };
}

/** The sandbox claims system's test endpoints. */
export const sandbox = {
  async ledger(query: { reference?: string; claimRef?: string }): Promise<Array<{ reference: string; confirmation: string; amountCents: number; decision: string }>> {
    const url = new URL('/__ledger', stackEnv().SANDBOX_CLAIMS_URL);
    for (const [k, v] of Object.entries(query)) if (v) url.searchParams.set(k, v);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`ledger: ${res.status}`);
    return ((await res.json()) as { entries: never[] }).entries;
  },
  async quirks(quirks: Record<string, unknown>): Promise<void> {
    const res = await fetch(new URL('/__admin/quirks', stackEnv().SANDBOX_CLAIMS_URL), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(quirks),
    });
    if (!res.ok) throw new Error(`quirks: ${res.status} ${await res.text()}`);
  },
};
