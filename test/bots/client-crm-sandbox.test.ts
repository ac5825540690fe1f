// The sandbox client CRM itself, through app.inject(): no browser, no port.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildClientCrm } from '../../sandbox/client-crm/app';
import { readFormValues, validateCustomer } from '../../sandbox/client-crm/customer-form';
import { ACME_CRM_BOT_LOGIN, BOT_CREDENTIALS, GLOBEX_CRM_BOT_LOGIN, SEED_CUSTOMERS } from '../../sandbox/client-crm/seed';
import type { CustomerFields } from '../../sandbox/client-crm/types';
import { CrmRecord } from '../../workflows/data-entry/record';
import { sampleCustomer } from './crm-harness';
import { tempDir } from './sandbox-harness';

let dir: ReturnType<typeof tempDir>;
let ledgerPath: string;
let app: FastifyInstance;

beforeEach(() => {
  dir = tempDir('crm-sandbox');
  ledgerPath = join(dir.path, 'nested', 'crm-ledger.jsonl');
  app = buildClientCrm({ ledgerPath });
});

afterEach(async () => {
  await app.close();
  dir.remove();
});

async function signIn(login: { username: string; password: string } = ACME_CRM_BOT_LOGIN): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { ...login, next: '' } });
  expect(response.statusCode).toBe(302);
  const cookie = response.cookies.find((c) => c.name === 'crm_session');
  expect(cookie?.httpOnly).toBe(true);
  return `crm_session=${cookie?.value ?? ''}`;
}

function save(cookie: string, fields: CustomerFields, reference: string, extra: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/customers', headers: { cookie }, payload: { ...fields, externalReference: reference, ...extra } });
}

const rows = (body: string): string[] => [...body.matchAll(/data-testid="customer-row" data-record-id="([^"]+)"/g)].map((m) => m[1] ?? '');
const errorFields = (body: string): string[] => [...body.matchAll(/data-testid="error-([a-zA-Z]+)"/g)].map((m) => m[1] ?? '');
const ledgerEntries = async (query = ''): Promise<unknown[]> => (await app.inject({ url: `/__ledger${query}` })).json<{ entries: unknown[] }>().entries;

describe('client CRM sandbox', () => {
  it('seeds sixty customers per tenant with valid, distinct accounts and bot logins per tenant', () => {
    for (const tenant of ['acme-health', 'globex-insurance'] as const) {
      const customers = SEED_CUSTOMERS.filter((c) => c.tenant === tenant);
      expect(customers).toHaveLength(60);
      expect(new Set(customers.map((c) => c.accountNumber)).size).toBe(60);
      for (const c of customers) {
        const checked = validateCustomer({ ...c, confirmed: '' }, '2026-01-01');
        expect(checked.ok, c.recordId).toBe(true);
      }
    }
    expect(Object.keys(BOT_CREDENTIALS)).toEqual(['acme-health/client-crm', 'globex-insurance/client-crm']);
    expect(BOT_CREDENTIALS['acme-health/client-crm'].password).toHaveLength(24);
  });

  it('sends anonymous users to the login page, refuses bad passwords and only redirects to same-site paths', async () => {
    const response = await app.inject({ url: '/customers/CR-100001' });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/login?next=%2Fcustomers%2FCR-100001');
    const refused = await app.inject({ method: 'POST', url: '/login', payload: { username: 'acme-crm-bot', password: 'nope' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('data-testid="login-error"');
    const evil = await app.inject({ method: 'POST', url: '/login', payload: { ...ACME_CRM_BOT_LOGIN, next: '//evil.example/x' } });
    expect(evil.headers.location).toBe('/customers');
  });

  it('lists 25 customers a page, searches by reference and by name, and keeps tenants apart', async () => {
    const cookie = await signIn();
    const page1 = await app.inject({ url: '/customers', headers: { cookie } });
    expect(rows(page1.body)).toHaveLength(25);
    expect(page1.body).toContain('data-testid="next-page" href="/customers?q=&amp;page=2"');
    const page3 = await app.inject({ url: '/customers?page=3', headers: { cookie } });
    expect(rows(page3.body)).toEqual(Array.from({ length: 10 }, (_, i) => `CR-1000${51 + i}`));
    expect(page3.body).not.toContain('data-testid="next-page"');

    expect(rows((await app.inject({ url: '/customers?q=LEGACY-ACME-0042', headers: { cookie } })).body)).toEqual(['CR-100042']);
    const byName = SEED_CUSTOMERS.filter((c) => c.tenant === 'acme-health' && c.firstName === 'Alice');
    expect(rows((await app.inject({ url: `/customers?q=alice%20${byName[0]?.lastName ?? ''}`, headers: { cookie } })).body)).toContain(byName[0]?.recordId);

    const globex = await signIn(GLOBEX_CRM_BOT_LOGIN);
    expect((await app.inject({ url: '/customers/CR-100001', headers: { cookie: globex } })).statusCode).toBe(404);
    expect(rows((await app.inject({ url: '/customers?q=legacy-acme', headers: { cookie: globex } })).body)).toEqual([]);
  });

  it('saves a customer, answers 303 to the record and shows the saved values, escaped', async () => {
    const cookie = await signIn();
    const fields = sampleCustomer({ lastName: '<script>x</script>', postcode: 'ec1a 1bb' });
    const response = await save(cookie, fields, 'ref-"><b>');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/customers/CR-000001?saved=1');
    const detail = await app.inject({ url: '/customers/CR-000001?saved=1', headers: { cookie } });
    expect(detail.body).toContain('data-testid="saved-record-id">CR-000001');
    expect(detail.body).toContain('data-testid="value-postcode">EC1A 1BB');
    expect(detail.body).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(detail.body).toContain('ref-&quot;&gt;&lt;b&gt;');
    expect(detail.body).not.toContain('<script>x');
    const entries = await ledgerEntries('?reference=ref-%22%3E%3Cb%3E');
    expect(entries).toEqual([
      expect.objectContaining({ seq: 1, tenant: 'acme-health', recordId: 'CR-000001', accountNumber: fields.accountNumber, fields: { ...fields, postcode: 'EC1A 1BB' } }),
    ]);
  });

  it('refuses bad fields one by one with 422 and records nothing', async () => {
    const cookie = await signIn();
    const cases: Array<[Partial<CustomerFields>, string, string[]]> = [
      [{ email: 'ann@example' }, 'r', ['email']],
      [{ phone: '12 34' }, 'r', ['phone']],
      [{ postcode: '1234' }, 'r', ['postcode']],
      [{ postcode: 'SW1A1' }, 'r', ['postcode']],
      [{ dateOfBirth: '2999-01-01' }, 'r', ['dateOfBirth']],
      [{ dateOfBirth: '1990-02-30' }, 'r', ['dateOfBirth']],
      [{ dateOfBirth: '15/06/1984' }, 'r', ['dateOfBirth']],
      [{ accountNumber: 'AC-12345' }, 'r', ['accountNumber']],
      [{ firstName: ' ', lastName: '' }, '', ['firstName', 'lastName', 'externalReference']],
      [{}, 'r'.repeat(121), ['externalReference']],
    ];
    for (const [override, reference, fields] of cases) {
      const response = await save(cookie, sampleCustomer(override), reference);
      expect(response.statusCode, JSON.stringify(override)).toBe(422);
      expect(errorFields(response.body), JSON.stringify(override)).toEqual(fields);
      expect(response.body).toContain('data-testid="form-errors"');
    }
    expect(await ledgerEntries()).toEqual([]);
  });

  it('refuses an account number the tenant already has, but not one another tenant has', async () => {
    const acme = await signIn();
    const seeded = await save(acme, sampleCustomer({ accountNumber: 'AC-100007' }), 'dup-1');
    expect(seeded.statusCode).toBe(422);
    expect(errorFields(seeded.body)).toEqual(['accountNumber']);
    expect(seeded.body).toContain('data-testid="duplicate-account" data-existing-record-id="CR-100007"');

    const fields = sampleCustomer();
    expect((await save(acme, fields, 'dup-2')).statusCode).toBe(303);
    expect((await save(acme, { ...sampleCustomer(), accountNumber: fields.accountNumber }, 'dup-3')).body).toContain('data-existing-record-id="CR-000001"');
    expect((await save(await signIn(GLOBEX_CRM_BOT_LOGIN), fields, 'dup-4')).statusCode).toBe(303);
    expect((await ledgerEntries()).length).toBe(2);
  });

  it('with the two-click quirk, records nothing on the first Save and once on the confirmation', async () => {
    app = (await app.close(), buildClientCrm({ ledgerPath, quirks: { saveNeedsSecondClickProbability: 1 } }));
    const cookie = await signIn();
    const fields = sampleCustomer();
    const first = await save(cookie, fields, 'two-click');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('data-testid="save-confirm"');
    expect(first.body).toContain('name="confirmed" value="yes"');
    expect(first.body).toContain(`value="${fields.accountNumber}"`);
    expect(await ledgerEntries()).toEqual([]);
    expect((await save(cookie, fields, 'two-click', { confirmed: 'yes' })).statusCode).toBe(303);
    expect(await ledgerEntries()).toHaveLength(1);
  });

  it('sends a save with an expired session back to a fresh form, recording nothing', async () => {
    app = (await app.close(), buildClientCrm({ ledgerPath, quirks: { sessionTtlMs: 50 } }));
    const cookie = await signIn();
    await new Promise((resolve) => setTimeout(resolve, 80));
    const response = await save(cookie, sampleCustomer(), 'expired');
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/login?next=%2Fcustomers%2Fnew');
    expect(await ledgerEntries()).toEqual([]);
  });

  it('appends every save, even a repeated one, and survives a torn last line', async () => {
    const cookie = await signIn();
    await save(cookie, sampleCustomer(), 'same-ref');
    await save(cookie, sampleCustomer(), 'same-ref');
    await app.close();

    appendFileSync(ledgerPath, '{"seq":3,"tenant":"acme-he');
    app = buildClientCrm({ ledgerPath });
    const again = await save(await signIn(), sampleCustomer(), 'same-ref');
    expect(again.headers.location).toBe('/customers/CR-000003?saved=1');
    const lines = readFileSync(ledgerPath, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3] ?? '')).toMatchObject({ seq: 3, recordId: 'CR-000003', externalReference: 'same-ref' });
    expect(await ledgerEntries('?reference=same-ref')).toHaveLength(3);
  });

  it('reset hides created records (also from the duplicate check) but keeps the ledger unless asked', async () => {
    const cookie = await signIn();
    const fields = sampleCustomer();
    await save(cookie, fields, 'before-reset');
    expect((await app.inject({ method: 'POST', url: '/__admin/reset' })).json()).toEqual({ ok: true, ledgerCleared: false });
    expect((await app.inject({ url: '/customers/CR-000001', headers: { cookie } })).statusCode).toBe(404);
    expect((await save(cookie, fields, 'after-reset')).statusCode).toBe(303);
    expect(await ledgerEntries()).toHaveLength(2);
    await app.inject({ method: 'POST', url: '/__admin/reset', payload: { ledger: true } });
    expect(await ledgerEntries()).toEqual([]);
  });

  it('validates quirks, fails the next N requests or a seeded share of them, and refuses admin calls from afar', async () => {
    expect((await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { bogus: 1 } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { serverErrorProbability: 2 } })).statusCode).toBe(400);
    const set = await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { failNextRequests: 2 } });
    expect(set.json()).toMatchObject({ failNextRequests: 2, sessionTtlMs: 900_000, saveNeedsSecondClickProbability: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await app.inject({ url: '/login' })).statusCode);
    expect(statuses).toEqual([500, 500, 200]);
    expect((await app.inject({ url: '/__health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/__health', remoteAddress: '10.1.2.3' })).statusCode).toBe(403);

    const failures = async (seed: number): Promise<number[]> => {
      const sandbox = buildClientCrm({ ledgerPath, seed, quirks: { serverErrorProbability: 0.5 } });
      const seen: number[] = [];
      for (let i = 0; i < 10; i += 1) seen.push((await sandbox.inject({ url: '/login' })).statusCode);
      await sandbox.close();
      return seen;
    };
    const first = await failures(7);
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await failures(7)).toEqual(first);
  });
});

describe('DataEntry CrmRecord schema', () => {
  // The schema catches what it can before the bot: it must agree with the CRM's own rules.
  const valid = sampleCustomer();
  const cases: Array<Partial<CustomerFields>> = [
    {},
    { email: 'ann@example' },
    { email: 'a b@example.com' },
    { phone: '12 34' },
    { phone: '+1 (555) 010-7919' },
    { phone: '1234567890123456' },
    { postcode: 'sw1a 2aa' },
    { postcode: 'M1 1AE' },
    { postcode: '90210' },
    { postcode: '9021' },
    { postcode: 'SW1A-2AA' },
    { dateOfBirth: '2999-01-01' },
    { dateOfBirth: '1899-12-31' },
    { dateOfBirth: '2023-02-29' },
    { dateOfBirth: '2024-02-29' },
    { accountNumber: 'AC-1234567' },
    { accountNumber: 'ac-123456' },
    { firstName: '' },
    { lastName: 'x'.repeat(81) },
  ];

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('agrees with the CRM on %s', (_name, override) => {
    const record = { ...valid, ...override };
    const crm = validateCustomer(readFormValues({ ...record, externalReference: 'r' }), new Date().toISOString().slice(0, 10));
    expect(CrmRecord.safeParse(record).success).toBe(crm.ok);
  });

  it('is strict and leaves the duplicate account to the CRM', () => {
    expect(CrmRecord.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    expect(CrmRecord.safeParse({ ...valid, accountNumber: 'AC-100007' }).success).toBe(true);
  });
});
