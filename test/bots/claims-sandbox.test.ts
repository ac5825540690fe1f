// The sandbox client system itself, through app.inject(): no browser, no port.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildClaimsSystem } from '../../sandbox/claims-system/app';
import { ACME_BOT_LOGIN, BOT_CREDENTIALS, GLOBEX_BOT_LOGIN, SEED_CLAIMS } from '../../sandbox/claims-system/seed';
import { tempDir } from './sandbox-harness';

let dir: ReturnType<typeof tempDir>;
let ledgerPath: string;
let app: FastifyInstance;

beforeEach(() => {
  dir = tempDir('claims-sandbox');
  ledgerPath = join(dir.path, 'nested', 'claims-ledger.jsonl');
  app = buildClaimsSystem({ ledgerPath });
});

afterEach(async () => {
  await app.close();
  dir.remove();
});

async function signIn(login: { username: string; password: string } = ACME_BOT_LOGIN): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { ...login, next: '' } });
  expect(response.statusCode).toBe(302);
  const cookie = response.cookies.find((c) => c.name === 'claims_session');
  expect(cookie?.httpOnly).toBe(true);
  return `claims_session=${cookie?.value ?? ''}`;
}

function adjudicate(cookie: string, claimRef: string, form: Record<string, string>) {
  return app.inject({ method: 'POST', url: `/claims/${claimRef}/adjudicate`, headers: { cookie }, payload: form });
}

describe('claims system sandbox', () => {
  it('seeds two tenants of eight claims each, amounts on both sides of 500.00', () => {
    for (const tenant of ['acme-health', 'globex-insurance'] as const) {
      const claims = SEED_CLAIMS.filter((c) => c.tenant === tenant);
      expect(claims).toHaveLength(8);
      expect(claims.some((c) => c.amountCents < 50_000)).toBe(true);
      expect(claims.some((c) => c.amountCents > 50_000)).toBe(true);
    }
    expect(SEED_CLAIMS.find((c) => c.claimRef === 'CLM-1002')?.amountCents).toBe(245_000);
    expect(Object.keys(BOT_CREDENTIALS)).toEqual(['acme-health/claims-system', 'globex-insurance/claims-system']);
  });

  it('sends anonymous users to the login page, keeping where they were going', async () => {
    const response = await app.inject({ url: '/claims/CLM-1001' });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/login?next=%2Fclaims%2FCLM-1001');
    const refused = await app.inject({ method: 'POST', url: '/login', payload: { username: 'acme-claims-bot', password: 'nope' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('data-testid="login-error"');
  });

  it('only redirects to same-site paths after login', async () => {
    const response = await app.inject({ method: 'POST', url: '/login', payload: { ...ACME_BOT_LOGIN, next: '//evil.example/x' } });
    expect(response.headers.location).toBe('/claims');
  });

  it('keeps tenants apart and paginates five claims a page', async () => {
    const cookie = await signIn(GLOBEX_BOT_LOGIN);
    expect((await app.inject({ url: '/claims/CLM-1001', headers: { cookie } })).statusCode).toBe(404);
    const page2 = await app.inject({ url: '/claims?page=2', headers: { cookie } });
    expect(page2.body.match(/data-testid="claim-row"/g)).toHaveLength(3);
    expect(page2.body).toContain('CLM-2008');
    expect(page2.body).not.toContain('CLM-1008');
    const search = await app.inject({ url: '/claims?q=carvalho', headers: { cookie } });
    expect(search.body.match(/data-testid="claim-row"/g)).toHaveLength(2);
  });

  it('escapes user input in pages', async () => {
    const cookie = await signIn();
    const response = await adjudicate(cookie, 'CLM-1004', { decision: 'reject', amount: '', reason: '<script>alert(1)</script>', reference: '"><b>x' });
    expect(response.statusCode).toBe(200);
    const detail = await app.inject({ url: '/claims/CLM-1004', headers: { cookie } });
    expect(detail.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(detail.body).toContain('&quot;&gt;&lt;b&gt;x');
    expect(detail.body).not.toContain('<script>alert');
  });

  it('refuses invalid adjudications field by field with 422 and records nothing', async () => {
    const cookie = await signIn();
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ decision: 'maybe', amount: '1', reason: 'x', reference: 'r' }, ['decision']],
      [{ decision: 'approve', amount: '120.001', reason: '', reference: 'r' }, ['amount']],
      [{ decision: 'approve', amount: '-5', reason: 'x', reference: 'r' }, ['amount']],
      [{ decision: 'approve', amount: '120.01', reason: 'x', reference: 'r' }, ['amount']],
      [{ decision: 'approve', amount: '100', reason: ' ', reference: 'r' }, ['reason']],
      [{ decision: 'reject', amount: '0', reason: '', reference: '' }, ['reason', 'reference']],
      [{ decision: 'approve', amount: '120', reason: '', reference: 'r'.repeat(121) }, ['reference']],
    ];
    for (const [form, fields] of cases) {
      const response = await adjudicate(cookie, 'CLM-1001', form);
      expect(response.statusCode, JSON.stringify(form)).toBe(422);
      const marked = [...response.body.matchAll(/data-testid="error-([a-z]+)"/g)].map((m) => m[1]);
      expect(marked, JSON.stringify(form)).toEqual(fields);
    }
    const ledger = await app.inject({ url: '/__ledger' });
    expect(ledger.json()).toEqual({ entries: [] });
  });

  it('appends every adjudication, even a repeated one, and survives a torn last line', async () => {
    const cookie = await signIn();
    const form = { decision: 'approve', amount: '120.00', reason: '', reference: 'same-ref' };
    expect((await adjudicate(cookie, 'CLM-1001', form)).body).toContain('ADJ-000001');
    expect((await adjudicate(cookie, 'CLM-1001', form)).body).toContain('ADJ-000002');
    await app.close();

    appendFileSync(ledgerPath, '{"seq":3,"tenant":"acme-he');
    app = buildClaimsSystem({ ledgerPath });
    const again = await adjudicate(await signIn(), 'CLM-1001', form);
    expect(again.body).toContain('ADJ-000003');
    const lines = readFileSync(ledgerPath, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3] ?? '')).toMatchObject({ seq: 3, claimRef: 'CLM-1001', reference: 'same-ref', amountCents: 12_000 });
    expect((await app.inject({ url: '/__ledger?reference=same-ref' })).json<{ entries: unknown[] }>().entries).toHaveLength(3);
  });

  it('reset puts claims back to open but keeps the ledger unless asked, also across restarts', async () => {
    const cookie = await signIn();
    await adjudicate(cookie, 'CLM-1003', { decision: 'approve', amount: '980.50', reason: '', reference: 'r1' });
    expect((await app.inject({ url: '/claims/CLM-1003', headers: { cookie } })).body).toContain('data-testid="claim-status">adjudicated');

    expect((await app.inject({ method: 'POST', url: '/__admin/reset' })).json()).toEqual({ ok: true, ledgerCleared: false });
    expect((await app.inject({ url: '/claims/CLM-1003', headers: { cookie } })).body).toContain('data-testid="claim-status">open');
    await app.close();
    app = buildClaimsSystem({ ledgerPath });
    const fresh = await signIn();
    expect((await app.inject({ url: '/claims/CLM-1003', headers: { cookie: fresh } })).body).toContain('data-testid="no-adjudications"');
    expect((await app.inject({ url: '/__ledger' })).json<{ entries: unknown[] }>().entries).toHaveLength(1);

    await app.inject({ method: 'POST', url: '/__admin/reset', payload: { ledger: true } });
    expect((await app.inject({ url: '/__ledger' })).json()).toEqual({ entries: [] });
  });

  it('validates quirks, fails the next N requests, and refuses admin calls from afar', async () => {
    expect((await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { bogus: 1 } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { slowPageProbability: 2 } })).statusCode).toBe(400);
    const set = await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { failNextRequests: 2 } });
    expect(set.json()).toMatchObject({ failNextRequests: 2, sessionTtlMs: 900_000 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await app.inject({ url: '/login' })).statusCode);
    expect(statuses).toEqual([500, 500, 200]);
    expect((await app.inject({ url: '/__health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/__health', remoteAddress: '10.1.2.3' })).statusCode).toBe(403);
  });

  it('makes the same pages slow for the same seed', async () => {
    const delays = async (seed: number): Promise<boolean[]> => {
      const sandbox = buildClaimsSystem({ ledgerPath, seed, quirks: { slowPageProbability: 0.5, slowPageDelayMs: 30 } });
      const slow: boolean[] = [];
      for (let i = 0; i < 8; i += 1) {
        const started = performance.now();
        await sandbox.inject({ url: '/login' });
        slow.push(performance.now() - started >= 25);
      }
      await sandbox.close();
      return slow;
    };
    const first = await delays(7);
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(await delays(7)).toEqual(first);
  });
});
