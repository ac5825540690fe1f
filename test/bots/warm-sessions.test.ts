// Warm signed-in sessions as the bot worker runs them: ClaimReview's real `extractClaim` activity
// (defineBotActivity in an activity context without a server) on two bot workers, each with its own
// BrowserPool and Redis connection, sharing the login gate (LoginSessions in Redis), against the
// claims sandbox in real Chromium. The gate stays the one limit across workers while each worker
// reuses its own kept context; a session the other worker's sign-in threw out (the app allows one
// session per user) is signed in again transparently; a context is dropped on doubt (an error page,
// a changed user); and evidence stays per step.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Redis } from 'ioredis';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../activities/artifacts';
import type { BotRuntime } from '../../activities/bots/bot-activity';
import { StaticClientApps } from '../../activities/bots/client-apps';
import type { Credential, CredentialStore } from '../../activities/credentials';
import { BrowserPool, type ContextLease, type WithContextOptions } from '../../bots/runtime/browser-pool';
import { LoginSessions } from '../../bots/runtime/login-sessions';
import { DEFAULT_QUIRKS } from '../../sandbox/claims-system/quirks';
import { ACME_BOT_LOGIN, SEED_LOGINS } from '../../sandbox/claims-system/seed';
import { createClaimReviewBots } from '../../workflows/claim-review/bot-steps';
import type { ClaimBotInput } from '../../workflows/claim-review/bots';
import type { ExtractedClaim } from '../../workflows/claim-review/schema';
import { stackEnv, uniqueId } from '../support/temporal';
import { startSandbox, tempDir, type RunningSandbox } from './sandbox-harness';

const LOGIN = 'acme-health/claims-system';
const dir = tempDir('warm-sessions');
const artifacts = new ArtifactStore(join(dir.path, 'artifacts'));
const prefix = uniqueId('test-warm-sessions');

/** What one step did with its context: when it held it, whether it was kept, how often it signed in. */
interface StepSeen {
  worker: string;
  start: number;
  end: number;
  reused: boolean;
  signIns: number;
}

/** The production pool, watched from outside: each step's time in its context and its sign-ins. */
class WatchedPool extends BrowserPool {
  readonly seen: StepSeen[] = [];
  constructor(readonly name: string) {
    super({ maxContexts: 2 });
  }
  override async withContext<T>(fn: (page: Page, context: BrowserContext, lease: ContextLease) => Promise<T>, opts?: WithContextOptions): Promise<T> {
    return super.withContext(async (page, context, lease) => {
      const step: StepSeen = { worker: this.name, start: Date.now(), end: 0, reused: lease.reused, signIns: 0 };
      const onRequest = (r: { method(): string; url(): string }): void => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/login') step.signIns += 1;
      };
      page.on('request', onRequest);
      try {
        return await fn(page, context, lease);
      } finally {
        page.off('request', onRequest);
        step.end = Date.now();
        this.seen.push(step);
      }
    }, opts);
  }
}

/** The credential store as an operator changes it: the login's user can be replaced. */
class LoginBook implements CredentialStore {
  current: Credential = { ...ACME_BOT_LOGIN, maxSessions: 1 };
  async resolve(name: string): Promise<Credential> {
    if (name !== LOGIN) throw new Error(`no credential ${name}`);
    return { ...this.current };
  }
}

let sandbox: RunningSandbox;
const redis: Redis[] = [];
const credentials = new LoginBook();
const workers: { pool: WatchedPool; bots: ReturnType<typeof createClaimReviewBots> }[] = [];
let stepNo = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ ledgerPath: join(dir.path, 'ledger.jsonl') });
  for (const name of ['worker-a', 'worker-b']) {
    // A connection of its own per worker, as two bot worker processes would have.
    const connection = new Redis(stackEnv().REDIS_URL!);
    redis.push(connection);
    const pool = new WatchedPool(name);
    const runtime: BotRuntime = {
      pool,
      credentials,
      sessions: new LoginSessions(connection, { prefix, leaseMs: 2_000, pollMinMs: 10, pollMaxMs: 50 }),
      artifacts,
      apps: new StaticClientApps({ 'claims-system': sandbox.url }),
      heartbeatEveryMs: 200,
    };
    workers.push({ pool, bots: createClaimReviewBots(runtime) });
  }
});
afterEach(async () => {
  await sandbox.setQuirks({ ...DEFAULT_QUIRKS });
  credentials.current = { ...ACME_BOT_LOGIN, maxSessions: 1 };
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.pool.close()));
  for (const connection of redis) connection.disconnect();
  await sandbox?.close();
  dir.remove();
});

/** One attempt of `extractClaim` on a worker, as Temporal would run it (its own run id). */
function extract(worker: number, claimRef: string): Promise<ExtractedClaim> {
  const n = ++stepNo;
  const info: Partial<Info> = {
    activityType: 'extractClaim',
    activityId: '1',
    attempt: 1,
    heartbeatTimeoutMs: 10_000,
    startToCloseTimeoutMs: 60_000,
    scheduleToCloseTimeoutMs: 0,
    workflowExecution: { workflowId: `claim-review-warm-${n}`, runId: `run-${n}` },
  };
  const input: ClaimBotInput = { client: 'acme-health', claimRef, credential: LOGIN };
  return new MockActivityEnvironment(info).run(workers[worker]!.bots.extractClaim, input) as Promise<ExtractedClaim>;
}

const holders = (): Promise<number> => new LoginSessions(redis[0]!, { prefix }).holders(LOGIN);
const lastStep = (worker: number): StepSeen => workers[worker]!.pool.seen.at(-1)!;

describe('warm signed-in sessions across bot workers', () => {
  it('keeps the login to its one session across workers, reuses each worker’s context and signs in again when the other worker’s sign-in threw it out', async () => {
    // The client app allows one session per user: a sign-in throws the user's older session out.
    await sandbox.setQuirks({ sessionsPerUser: 1 });
    const claims = ['CLM-1001', 'CLM-1002', 'CLM-1003'];
    const results = await Promise.all([0, 1].flatMap((worker) => claims.map((claimRef) => extract(worker, claimRef))));
    expect(results.map((r) => r.claimRef)).toEqual([...claims, ...claims]);

    const steps = workers.flatMap((w) => w.pool.seen).sort((a, b) => a.start - b.start);
    expect(steps).toHaveLength(6);
    // The gate: never two steps of the login in a browser at once, on any worker.
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.start, `step ${i} began before step ${i - 1} ended`).toBeGreaterThanOrEqual(steps[i - 1]!.end);
    // Each worker's later steps got its kept context (one per login: the login's session cap).
    for (const w of workers) expect(w.pool.seen.map((s) => s.reused)).toEqual([false, true, true]);
    // A worker signs in when its session is gone: its first step, or after the other worker signed in.
    const alive = new Set<string>();
    const expected = steps.map((s) => {
      const signs = alive.has(s.worker) ? 0 : 1;
      if (signs) alive.clear();
      alive.add(s.worker);
      return signs;
    });
    expect(steps.map((s) => s.signIns)).toEqual(expected);
    expect(await holders()).toBe(0);
  });

  it('drops a kept context that met an error page: the retry starts from a fresh context and sign-in', async () => {
    await extract(0, 'CLM-1001');
    await sandbox.setQuirks({ failNextRequests: 1 });
    const failure = await extract(0, 'CLM-1002').then(
      () => undefined,
      (e: unknown) => e as Error & { details?: { evidence?: { screenshot?: string; trace?: string } }[] },
    );
    expect(failure?.message).toMatch(/claims system failed \(HTTP 500\)/);
    expect(lastStep(0)).toMatchObject({ reused: true, signIns: 0 });
    // Evidence of the failed step itself: its screenshot and trace, without the password.
    const evidence = failure?.details?.[0]?.evidence;
    expect(evidence?.screenshot).toMatch(/extractClaim-attempt1\.png$/);
    expect(existsSync(join(artifacts.root, evidence!.trace!))).toBe(true);
    const again = await extract(0, 'CLM-1002');
    expect(again.claimRef).toBe('CLM-1002');
    expect(lastStep(0)).toMatchObject({ reused: false, signIns: 1 });
    expect(await holders()).toBe(0);
  });

  it('never reuses a session once the login’s user changed, and takes a screenshot per step', async () => {
    const first = await extract(1, 'CLM-1001');
    const second = await extract(1, 'CLM-1002');
    expect(lastStep(1)).toMatchObject({ reused: true, signIns: 0 });
    expect(second.screenshot).not.toBe(first.screenshot);
    for (const shot of [first.screenshot, second.screenshot]) expect(shot !== undefined && existsSync(join(artifacts.root, shot))).toBe(true);
    // An operator points the login at another user of the same client.
    const jane = SEED_LOGINS.find((l) => l.username === 'acme-jane')!;
    credentials.current = { username: jane.username, password: jane.password, maxSessions: 1 };
    const asJane = await extract(1, 'CLM-1003');
    expect(asJane.claimRef).toBe('CLM-1003');
    expect(lastStep(1)).toMatchObject({ reused: false, signIns: 1 });
  });
});
