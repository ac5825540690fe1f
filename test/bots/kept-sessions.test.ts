// Signed-in contexts kept per client login by BrowserPool, against the claims sandbox in real
// headless Chromium: reused by the next step of the same login without signing in again, signed in
// again transparently when the app expired the session, never shared across logins or users, and
// dropped after a failed step; evidence stays per step.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClaimsSystem } from '../../bots/claims-system/claims-system';
import { BrowserPool, evidenceOf } from '../../bots/runtime/browser-pool';
import { DEFAULT_QUIRKS } from '../../sandbox/claims-system/quirks';
import { ACME_BOT_LOGIN, GLOBEX_BOT_LOGIN } from '../../sandbox/claims-system/seed';
import { readZipEntries, startSandbox, tempDir, type RunningSandbox } from './sandbox-harness';

const dir = tempDir('kept-sessions');
const pool = new BrowserPool({ maxContexts: 2 });
const ACME = { login: 'acme-health/claims-system', fingerprint: 'acme-bot-v1' };
const GLOBEX = { login: 'globex-insurance/claims-system', fingerprint: 'globex-bot-v1' };
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ ledgerPath: join(dir.path, 'ledger.jsonl') });
});
afterEach(async () => {
  await sandbox.setQuirks({ ...DEFAULT_QUIRKS });
});
afterAll(async () => {
  await pool.close();
  await sandbox?.close();
  dir.remove();
});

/** Counts the login form posts a step makes. */
async function countingSignIns<T>(page: Page, fn: () => Promise<T>): Promise<{ value: T; signIns: number }> {
  let signIns = 0;
  const onRequest = (r: { method(): string; url(): string }): void => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/login') signIns += 1;
  };
  page.on('request', onRequest);
  try {
    return { value: await fn(), signIns };
  } finally {
    page.off('request', onRequest);
  }
}

/** One bot step: open a claim as `login`, signing in only if the app asks. */
function readClaim(session: typeof ACME, credentials: { username: string; password: string }, claimRef: string) {
  return pool.withContext(
    async (page, context, lease) => {
      const claims = new ClaimsSystem(page, sandbox.url);
      claims.useLogin(credentials);
      const { value, signIns } = await countingSignIns(page, () => claims.openClaim(claimRef));
      return { claimRef: value.claimRef, signIns, reused: lease.reused, context };
    },
    { session },
  );
}

describe('kept signed-in sessions', () => {
  it('reuses a login’s signed-in context for its next step, without signing in again', async () => {
    const first = await readClaim(ACME, ACME_BOT_LOGIN, 'CLM-1001');
    expect(first).toMatchObject({ claimRef: 'CLM-1001', signIns: 1, reused: false });
    const second = await readClaim(ACME, ACME_BOT_LOGIN, 'CLM-1002');
    expect(second).toMatchObject({ claimRef: 'CLM-1002', signIns: 0, reused: true });
    expect(second.context).toBe(first.context);
    expect(pool.stats().kept).toBeGreaterThanOrEqual(1);
  });

  it('never hands one login’s session to another login or to a changed user', async () => {
    const acme = await readClaim(ACME, ACME_BOT_LOGIN, 'CLM-1001');
    const globex = await readClaim(GLOBEX, GLOBEX_BOT_LOGIN, 'CLM-2001');
    expect(globex).toMatchObject({ claimRef: 'CLM-2001', signIns: 1, reused: false });
    expect(globex.context).not.toBe(acme.context);
    // Same login name, rotated credential: the old session is closed, not reused.
    const rotated = await readClaim({ ...ACME, fingerprint: 'acme-bot-v2' }, ACME_BOT_LOGIN, 'CLM-1003');
    expect(rotated).toMatchObject({ signIns: 1, reused: false });
    expect(rotated.context).not.toBe(acme.context);
  });

  it('signs in again transparently when the client app expired the kept session', async () => {
    // Sessions touched while the TTL is short lapse that much later.
    await sandbox.setQuirks({ sessionTtlMs: 300 });
    await readClaim(ACME, ACME_BOT_LOGIN, 'CLM-1001');
    await new Promise((r) => setTimeout(r, 450));
    await sandbox.setQuirks({ sessionTtlMs: DEFAULT_QUIRKS.sessionTtlMs });
    const after = await readClaim(ACME, ACME_BOT_LOGIN, 'CLM-1002');
    expect(after).toMatchObject({ claimRef: 'CLM-1002', reused: true, signIns: 1 });
  });

  it('drops the context of a failed step, keeping its evidence to that step', async () => {
    const kept = await readClaim(ACME, ACME_BOT_LOGIN, 'CLM-1001');
    const evidenceDir = join(dir.path, 'evidence');
    const error = await pool
      .withContext(
        async (page, context, lease) => {
          expect(lease.reused).toBe(true);
          expect(context).toBe(kept.context);
          const claims = new ClaimsSystem(page, sandbox.url);
          claims.useLogin(ACME_BOT_LOGIN);
          await claims.openClaim('CLM-1003');
          throw new Error('screen changed');
        },
        { session: ACME, evidence: { dir: evidenceDir, name: 'failed' } },
      )
      .catch((e: unknown) => e);
    const evidence = evidenceOf(error);
    expect(evidence?.tracePath).toBe(join(evidenceDir, 'failed.trace.zip'));
    const trace = Buffer.concat([...readZipEntries(evidence!.tracePath!).values()]).toString('latin1');
    expect(trace).toContain('CLM-1003');
    expect(trace).not.toContain(ACME_BOT_LOGIN.password);
    // Dropped on doubt: the next step of the login starts afresh.
    const next = await readClaim(ACME, ACME_BOT_LOGIN, 'CLM-1001');
    expect(next).toMatchObject({ reused: false, signIns: 1 });
    expect(next.context).not.toBe(kept.context);
  });

  it('keeps no more of a login’s contexts than its session cap, however many steps of it ran at once', async () => {
    const own = new BrowserPool({ maxContexts: 3 });
    const step = (session: typeof ACME & { maxIdle: number }) => own.withContext(async (_page, context) => context, { session });
    await Promise.all([1, 2, 3].map(() => step({ ...ACME, maxIdle: 2 })));
    expect(own.stats().kept).toBe(2);
    await Promise.all([1, 2, 3].map(() => step({ ...GLOBEX, maxIdle: 1 })));
    expect(own.stats().kept).toBe(3);
    await own.close();
  });

  it('keeps no context the step discarded, and closes kept ones with the pool', async () => {
    const own = new BrowserPool({ maxContexts: 1 });
    const first = await own.withContext(async (_page, context, lease) => {
      lease.discard();
      return context;
    }, { session: ACME });
    expect(own.stats().kept).toBe(0);
    const second = await own.withContext(async (_page, context) => context, { session: ACME });
    expect(second).not.toBe(first);
    expect(own.stats().kept).toBe(1);
    await own.close();
    expect(own.stats().kept).toBe(0);
    expect(second.pages()).toEqual([]);
  });
});
