// The real API, built in-process against the test stack's Temporal and Redis (requests go
// through inject(): no port needed).
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp, type ApiDeps } from '../../api/app';
import { TaskIndex } from '../../inbox/task-index';
import { stackEnv, temporalClient } from './temporal';
import { testAuth } from './auth';
import { createLogger } from '../../platform/logger';
import { ArtifactStore } from '../../activities/artifacts';

export interface TestApi {
  app: FastifyInstance;
  /** Everything the API logged (JSON lines), for secret scans. */
  logs(): string;
  /** Bodies of every error reply (status >= 400) the API sent, for secret scans. */
  errorReplies(): string[];
  redis: Redis;
  index: TaskIndex;
  close(): Promise<void>;
}

/**
 * The API on the test stack. `deps`: collaborators to use instead of the defaults (e.g. a
 * reporting store the test fills). Clients' declared QA defaults are off unless a test asks for them
 * (`qaDefaults: 'declared'`): a 5 % draw would otherwise hold some unrelated test's claim in QA.
 */
export async function startApi(redisPrefix: string, deps: Partial<Pick<ApiDeps, 'oversight' | 'qaDefaults'>> = {}): Promise<TestApi> {
  const { client, close } = await temporalClient();
  const redis = new Redis(stackEnv().REDIS_URL!);
  const index = new TaskIndex(redis, { prefix: redisPrefix });
  let logged = '';
  const logger = createLogger('api', 'info', { write: (line: string) => void (logged += line) });
  const artifacts = new ArtifactStore(`${stackEnv().TANDEM_STATE_DIR}/artifacts`);
  const app = await buildApp({ temporal: client, index, auth: testAuth(), logger, artifacts, qaDefaults: 'off', ...deps });
  const errors: string[] = [];
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === 'string') errors.push(payload);
    return payload;
  });
  return {
    app,
    logs: () => logged,
    errorReplies: () => errors,
    redis,
    index,
    async close() {
      await app.close();
      await redis.quit();
      await close();
    },
  };
}

/**
 * A claim nobody has worked yet, like a seeded one (same member, diagnosis, amount): the sandbox
 * takes a seeded reference followed by six digits as a new claim. Each business item is run once
 * (a second start of the same claim is refused), so every test works a claim of its own.
 */
export function freshClaim(like: string): string {
  return `${like}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
}

/** The sandbox claims system's test endpoints. */
export const sandbox = {
  async ledger(query: { reference?: string; claimRef?: string }): Promise<Array<{ reference: string; confirmation: string; amountCents: number; decision: string; at: string; reverses?: string }>> {
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
  /** A clerk at the client adjudicates the claim by hand in the claims system, outside Tandem. */
  async adjudicateByHand(entry: { tenant: string; claimRef: string; decision: 'approve' | 'reject'; amountCents: number }): Promise<{ confirmation: string }> {
    const res = await fetch(new URL('/__admin/adjudications', stackEnv().SANDBOX_CLAIMS_URL), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(entry),
    });
    if (res.status !== 201) throw new Error(`adjudications: ${res.status} ${await res.text()}`);
    return (await res.json()) as { confirmation: string };
  },
};
