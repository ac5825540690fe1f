// The ClaimsSystem page object against the sandbox, in real headless Chromium.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClaimsSystem } from '../../bots/claims-system/claims-system';
import { BrowserPool } from '../../bots/runtime/browser-pool';
import { BusinessException } from '../../bots/runtime/business-exception';
import { ACME_BOT_LOGIN } from '../../sandbox/claims-system/seed';
import { DEFAULT_QUIRKS } from '../../sandbox/claims-system/quirks';
import { sleep, startSandbox, tempDir, type RunningSandbox } from './sandbox-harness';

const dir = tempDir('claims-bot');
const pool = new BrowserPool({ maxContexts: 2 });
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

/** Runs `fn` with a signed-in ClaimsSystem in a fresh context. */
function asAcmeBot<T>(fn: (claims: ClaimsSystem) => Promise<T>, url = sandbox.url): Promise<T> {
  return pool.withContext(async (page) => {
    const claims = new ClaimsSystem(page, url);
    await claims.login(ACME_BOT_LOGIN);
    return fn(claims);
  });
}

async function businessError(promise: Promise<unknown>): Promise<BusinessException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BusinessException);
  return error as BusinessException;
}

const reference = (): string => `tandem-test-${randomUUID()}`;

describe('ClaimsSystem page object', () => {
  it('opens a claim and adjudicates it once; findAdjudication sees it only afterwards', async () => {
    const ref = reference();
    const { before, claim, record, found, after } = await asAcmeBot(async (claims) => {
      const claim = await claims.openClaim('CLM-1002');
      const before = await claims.findAdjudication('CLM-1002', ref);
      const record = await claims.adjudicate('CLM-1002', { decision: 'approve', amountCents: 200_000, reason: 'Partial: physio capped', reference: ref });
      const found = await claims.findAdjudication('CLM-1002', ref);
      const after = await claims.openClaim('CLM-1002');
      return { before, claim, record, found, after };
    });
    expect(claim).toEqual({
      claimRef: 'CLM-1002',
      memberId: 'M-100232',
      memberName: 'Bruno Keller',
      diagnosisCode: 'S82.201A',
      amountCents: 245_000,
      status: 'open',
      submittedOn: '2025-10-03',
    });
    expect(before).toBeNull();
    expect(record).toMatchObject({ reference: ref, decision: 'approve', amountCents: 200_000 });
    expect(record.confirmation).toMatch(/^ADJ-\d{6}$/);
    expect(found).toEqual(record);
    expect(after.status).toBe('adjudicated');
    const entries = await sandbox.ledger({ reference: ref });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ tenant: 'acme-health', claimRef: 'CLM-1002', amountCents: 200_000, confirmation: record.confirmation });
  });

  it('reverses an adjudication as a ledger line of its own, once; the claim is open again', async () => {
    const claimRef = `CLM-1003${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`; // a claim nobody worked
    const ref = reference();
    const { record, reversal, after, claim, refused } = await asAcmeBot(async (claims) => {
      const record = await claims.adjudicate(claimRef, { decision: 'approve', amountCents: 1_000, reason: 'Partial', reference: ref });
      const reversal = await claims.reverse(claimRef, record.confirmation, { reason: 'Run cancelled: client withdrew the claim', reference: `${ref}:cancel` });
      const after = await claims.adjudicationsOf(claimRef);
      const claim = await claims.openClaim(claimRef);
      const refused = await businessError(claims.reverse(claimRef, record.confirmation, { reason: 'Again', reference: `${ref}:again` }));
      return { record, reversal, after, claim, refused };
    });
    expect(reversal).toMatch(/^REV-\d{6}$/);
    expect(after).toEqual([{ ...record, reversal: { confirmation: reversal, reference: `${ref}:cancel` } }]);
    expect(claim.status).toBe('open');
    expect(refused.code).toBe('AlreadyReversed');
    const entries = await sandbox.ledger({ claimRef });
    expect(entries.map((e) => [e.confirmation, e.reverses])).toEqual([
      [record.confirmation, undefined],
      [reversal, record.confirmation],
    ]);
  });

  it('writes nothing when the cancel fence refuses right before the submit', async () => {
    const ref = reference();
    const fence = new Error('run cancelled');
    const outcome = await asAcmeBot((claims) =>
      claims.adjudicate('CLM-1006', { decision: 'approve', amountCents: 50_000, reason: '', reference: ref }, async () => {
        throw fence;
      }),
    ).catch((e: unknown) => e);
    expect(outcome).toBe(fence);
    expect(await sandbox.ledger({ reference: ref })).toEqual([]);
  });

  it('reports unknown and other tenants\' claims as ClaimNotFound', async () => {
    const errors = await asAcmeBot(async (claims) => [
      await businessError(claims.openClaim('CLM-9999')),
      await businessError(claims.findAdjudication('CLM-2001', 'any')),
    ]);
    expect(errors.map((e) => [e.code, e.details])).toEqual([
      ['ClaimNotFound', { claimRef: 'CLM-9999' }],
      ['ClaimNotFound', { claimRef: 'CLM-2001' }],
    ]);
  });

  it('reports bad credentials as LoginRefused without echoing them', async () => {
    const error = await businessError(
      pool.withContext((page) => new ClaimsSystem(page, sandbox.url).login({ username: 'acme-claims-bot', password: 'wrong-password' })),
    );
    expect(error.code).toBe('LoginRefused');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('wrong-password');
  });

  it('reports refused adjudications as ValidationRefused with the fields, and records nothing', async () => {
    const ref = reference();
    const [tooMuch, noReason] = await asAcmeBot(async (claims) => [
      await businessError(claims.adjudicate('CLM-1004', { decision: 'approve', amountCents: 9_000, reason: '', reference: ref })),
      await businessError(claims.adjudicate('CLM-1004', { decision: 'reject', amountCents: 0, reason: '', reference: ref })),
    ]);
    expect(tooMuch?.code).toBe('ValidationRefused');
    expect(tooMuch?.details.errors).toEqual({ amount: expect.stringContaining('cannot exceed') });
    expect(Object.keys(noReason?.details.errors as object)).toEqual(['reason']);
    expect(await sandbox.ledger({ reference: ref })).toEqual([]);
  });

  it('signs in again transparently when the session has expired', async () => {
    await sandbox.setQuirks({ sessionTtlMs: 300 });
    const { claim, logins } = await pool.withContext(async (page) => {
      let logins = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/login') logins += 1;
      });
      const claims = new ClaimsSystem(page, sandbox.url);
      await claims.login(ACME_BOT_LOGIN);
      await sleep(450);
      await sandbox.setQuirks({ sessionTtlMs: DEFAULT_QUIRKS.sessionTtlMs });
      return { claim: await claims.openClaim('CLM-1001'), logins };
    });
    expect(claim.claimRef).toBe('CLM-1001');
    expect(logins).toBe(2);
  });

  it('signs in again and posts once more when the session expires while the form is open', async () => {
    const ref = reference();
    const { record, posts } = await pool.withContext(async (page) => {
      let posts = 0;
      // Hold the first post back until the session is gone: the app then redirects it to /login.
      await page.route('**/claims/CLM-1005/adjudicate', async (route) => {
        posts += 1;
        if (posts === 1) {
          await sleep(450);
          await sandbox.setQuirks({ sessionTtlMs: DEFAULT_QUIRKS.sessionTtlMs });
        }
        await route.continue();
      });
      const claims = new ClaimsSystem(page, sandbox.url);
      await claims.login(ACME_BOT_LOGIN);
      await sandbox.setQuirks({ sessionTtlMs: 300 });
      const record = await claims.adjudicate('CLM-1005', { decision: 'reject', amountCents: 0, reason: 'Not covered', reference: ref });
      return { record, posts };
    });
    expect(posts).toBe(2);
    expect(record.decision).toBe('reject');
    expect(await sandbox.ledger({ reference: ref })).toHaveLength(1);
  });

  it('turns an application 500 into a plain Error, not a business exception', async () => {
    const error = await asAcmeBot(async (claims) => {
      await sandbox.setQuirks({ failNextRequests: 1 });
      const failure = await claims.openClaim('CLM-1001').catch((e: unknown) => e);
      await claims.openClaim('CLM-1001'); // and the next attempt works
      return failure;
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(BusinessException);
    expect((error as Error).message).toContain('500');
  });

  it('records the adjudication before a slow confirmation arrives', async () => {
    const ref = reference();
    await sandbox.setQuirks({ submitResponseDelayMs: 1_200 });
    let settled = false;
    const started = Date.now();
    const submitting = asAcmeBot((claims) =>
      claims.adjudicate('CLM-1006', { decision: 'approve', amountCents: 50_000, reason: '', reference: ref }),
    ).finally(() => {
      settled = true;
    });
    let entries = await sandbox.ledger({ reference: ref });
    while (entries.length === 0 && Date.now() - started < 10_000) {
      await sleep(25);
      entries = await sandbox.ledger({ reference: ref });
    }
    expect(entries).toHaveLength(1);
    expect(settled).toBe(false);
    const record = await submitting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_200);
    expect(record.confirmation).toBe(entries[0]?.confirmation);
  });

  it('finds adjudications again after the client system restarts', async () => {
    const ref = reference();
    const restartDir = tempDir('claims-restart');
    const ledgerPath = join(restartDir.path, 'ledger.jsonl');
    try {
      const first = await startSandbox({ ledgerPath });
      const record = await asAcmeBot(
        (claims) => claims.adjudicate('CLM-1008', { decision: 'approve', amountCents: 49_999, reason: '', reference: ref }),
        first.url,
      );
      await first.close();
      const second = await startSandbox({ ledgerPath });
      try {
        const found = await asAcmeBot((claims) => claims.findAdjudication('CLM-1008', ref), second.url);
        expect(found).toEqual(record);
        expect(await second.ledger({ claimRef: 'CLM-1008' })).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      restartDir.remove();
    }
  });
});
