// The ClientCrm page object against the sandbox CRM, in real headless Chromium.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientCrm } from '../../bots/client-crm/client-crm';
import { BrowserPool } from '../../bots/runtime/browser-pool';
import { BusinessException } from '../../bots/runtime/business-exception';
import { DEFAULT_QUIRKS } from '../../sandbox/client-crm/quirks';
import { ACME_CRM_BOT_LOGIN } from '../../sandbox/client-crm/seed';
import { sampleCustomer, startCrm, type RunningCrm } from './crm-harness';
import { sleep, tempDir } from './sandbox-harness';

const dir = tempDir('crm-bot');
const pool = new BrowserPool({ maxContexts: 2 });
let crm: RunningCrm;

beforeAll(async () => {
  crm = await startCrm({ ledgerPath: join(dir.path, 'ledger.jsonl') });
});

afterEach(async () => {
  await crm.setQuirks({ ...DEFAULT_QUIRKS });
});

afterAll(async () => {
  await pool.close();
  await crm?.close();
  dir.remove();
});

/** Runs `fn` with a signed-in ClientCrm in a fresh context. */
function asAcmeBot<T>(fn: (crm: ClientCrm, page: Page) => Promise<T>): Promise<T> {
  return pool.withContext(async (page) => {
    const client = new ClientCrm(page, crm.url);
    await client.login(ACME_CRM_BOT_LOGIN);
    return fn(client, page);
  });
}

/** Counts the browser's posts to a path (saves, sign-ins) on this page. */
function countPosts(page: Page, path: string): () => number {
  let posts = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === path) posts += 1;
  });
  return () => posts;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

async function businessError(promise: Promise<unknown>): Promise<BusinessException> {
  const error = await failureOf(promise);
  expect(error).toBeInstanceOf(BusinessException);
  return error as BusinessException;
}

const reference = (): string => `de-test-${randomUUID()}`;

describe('ClientCrm page object', () => {
  it('creates a record once and finds it by reference only afterwards', async () => {
    const ref = reference();
    const customer = sampleCustomer({ postcode: 'sw1a 2aa' });
    const { before, saved, found, read, saves } = await asAcmeBot(async (client, page) => {
      const saves = countPosts(page, '/customers');
      const before = await client.findByReference(ref);
      const saved = await client.createRecord(customer, ref);
      const found = await client.findByReference(ref);
      const read = await client.readRecord(saved.recordId);
      return { before, saved, found, read, saves: saves() };
    });
    expect(before).toBeNull();
    expect(saved).toMatchObject({ ...customer, postcode: 'SW1A 2AA', reference: ref });
    expect(saved.recordId).toMatch(/^CR-\d{6}$/);
    expect(found).toEqual(saved);
    expect(read).toEqual(saved);
    expect(saves).toBe(1);
    expect(await crm.ledger({ reference: ref })).toEqual([expect.objectContaining({ recordId: saved.recordId, tenant: 'acme-health' })]);
  });

  it('follows the search results to page 3 to find a record among look-alike references', async () => {
    const ref = reference();
    // 55 records whose references contain ours come first: ours is result 56, on page 3 of 25.
    const lookAlikes = Array.from({ length: 55 }, (_, i) => ({ fields: sampleCustomer(), reference: `${ref}-${i}` }));
    await crm.createOverHttp(ACME_CRM_BOT_LOGIN, lookAlikes);
    const { created, found, pagesSeen, missing } = await asAcmeBot(async (client, page) => {
      const created = await client.createRecord(sampleCustomer(), ref);
      const pagesSeen: string[] = [];
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname === '/customers' && r.method() === 'GET') pagesSeen.push(url.searchParams.get('page') ?? '1');
      });
      const found = await client.findByReference(ref);
      const missing = await client.findByReference(`${ref}-none`);
      return { created, found, pagesSeen, missing };
    });
    expect(found?.recordId).toBe(created.recordId);
    expect(pagesSeen.slice(0, 3)).toEqual(['1', '2', '3']);
    expect(missing).toBeNull();
  });

  it('reports bad credentials as LoginRefused without echoing them', async () => {
    const error = await businessError(
      pool.withContext((page) => new ClientCrm(page, crm.url).login({ username: 'acme-crm-bot', password: 'wrong-password' })),
    );
    expect(error.code).toBe('LoginRefused');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('wrong-password');
  });

  it('reports refused fields as ValidationRefused and a known account as DuplicateAccount, recording nothing', async () => {
    const [invalid, duplicate] = await asAcmeBot(async (client) => [
      await businessError(client.createRecord(sampleCustomer({ email: 'nobody', postcode: '123', dateOfBirth: '2999-01-01' }), 'bad-fields')),
      await businessError(client.createRecord(sampleCustomer({ accountNumber: 'AC-100007' }), 'dup-account')),
    ]);
    expect(invalid?.code).toBe('ValidationRefused');
    expect(invalid?.details).toEqual({
      reference: 'bad-fields',
      errors: { email: expect.any(String), postcode: expect.any(String), dateOfBirth: 'The date of birth must be in the past.' },
    });
    expect(duplicate?.code).toBe('DuplicateAccount');
    expect(duplicate?.details).toEqual({
      reference: 'dup-account',
      accountNumber: 'AC-100007',
      existingRecordId: 'CR-100007',
      errors: { accountNumber: 'An account with this number already exists.' },
    });
    expect(await crm.ledger({ reference: 'bad-fields' })).toEqual([]);
    expect(await crm.ledger({ reference: 'dup-account' })).toEqual([]);
  });

  it('reports an unknown record as RecordNotFound', async () => {
    const error = await asAcmeBot((client) => businessError(client.readRecord('CR-999999')));
    expect([error.code, error.details]).toEqual(['RecordNotFound', { recordId: 'CR-999999' }]);
  });

  it('confirms a save that needs a second click, and writes once', async () => {
    await crm.setQuirks({ saveNeedsSecondClickProbability: 1 });
    const ref = reference();
    const { saved, saves } = await asAcmeBot(async (client, page) => {
      const saves = countPosts(page, '/customers');
      return { saved: await client.createRecord(sampleCustomer(), ref), saves };
    });
    expect(saves()).toBe(2);
    expect(await crm.ledger({ reference: ref })).toEqual([expect.objectContaining({ recordId: saved.recordId })]);
  });

  it('never writes twice when only some saves need a second click', async () => {
    await crm.setQuirks({ saveNeedsSecondClickProbability: 0.5 });
    const refs = Array.from({ length: 4 }, reference);
    const saves = await asAcmeBot(async (client, page) => {
      const saves = countPosts(page, '/customers');
      for (const ref of refs) await client.createRecord(sampleCustomer(), ref);
      return saves();
    });
    expect(saves).toBeGreaterThan(refs.length); // the quirk did strike
    for (const ref of refs) expect(await crm.ledger({ reference: ref }), ref).toHaveLength(1);
  });

  it('signs in again and saves once more when the session expires while the form is open', async () => {
    const ref = reference();
    const { saved, saves, logins } = await pool.withContext(async (page) => {
      const saves = countPosts(page, '/customers');
      const logins = countPosts(page, '/login');
      // Hold the first save back until the session is gone: the CRM then sends it to /login.
      let held = false;
      await page.route('**/customers', async (route) => {
        if (route.request().method() === 'POST' && !held) {
          held = true;
          await sleep(450);
          await crm.setQuirks({ sessionTtlMs: DEFAULT_QUIRKS.sessionTtlMs });
        }
        await route.continue();
      });
      const client = new ClientCrm(page, crm.url);
      await client.login(ACME_CRM_BOT_LOGIN);
      await crm.setQuirks({ sessionTtlMs: 300 });
      return { saved: await client.createRecord(sampleCustomer(), ref), saves: saves(), logins: logins() };
    });
    expect(saves).toBe(2);
    expect(logins).toBe(2);
    expect(await crm.ledger({ reference: ref })).toEqual([expect.objectContaining({ recordId: saved.recordId })]);
  });

  it('does not save again when the session expires after the save landed', async () => {
    const ref = reference();
    const { saved, saves, logins } = await pool.withContext(async (page) => {
      const saves = countPosts(page, '/customers');
      const logins = countPosts(page, '/login');
      const client = new ClientCrm(page, crm.url);
      await client.login(ACME_CRM_BOT_LOGIN);
      // The save refreshes the session for 300 ms, records, then answers after it has lapsed:
      // the way to the new record leads through the login page.
      await page.route('**/customers', async (route) => {
        if (route.request().method() === 'POST') await crm.setQuirks({ sessionTtlMs: 300, submitResponseDelayMs: 450 });
        await route.continue();
      });
      await page.route('**/customers/CR-*', async (route) => {
        await crm.setQuirks({ sessionTtlMs: DEFAULT_QUIRKS.sessionTtlMs, submitResponseDelayMs: 0 });
        await route.continue();
      });
      return { saved: await client.createRecord(sampleCustomer(), ref), saves: saves(), logins: logins() };
    });
    expect(saves).toBe(1);
    expect(logins).toBe(2);
    expect(await crm.ledger({ reference: ref })).toEqual([expect.objectContaining({ recordId: saved.recordId })]);
  });

  it('signs in again while paging through search results, and carries on from the same page', async () => {
    const { found, pagesSeen, logins } = await pool.withContext(async (page) => {
      const logins = countPosts(page, '/login');
      const pagesSeen: string[] = [];
      // Every seeded Acme reference contains the search text, none equals it: all 3 pages are read.
      // Page 2 is held back until the session is gone.
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname === '/customers' && url.searchParams.has('q')) pagesSeen.push(url.searchParams.get('page') ?? '1');
      });
      let held = false;
      await page.route('**/customers?*', async (route) => {
        if (new URL(route.request().url()).searchParams.get('page') === '2' && !held) {
          held = true;
          await sleep(450);
          await crm.setQuirks({ sessionTtlMs: DEFAULT_QUIRKS.sessionTtlMs });
        }
        await route.continue();
      });
      const client = new ClientCrm(page, crm.url);
      await client.login(ACME_CRM_BOT_LOGIN);
      await crm.setQuirks({ sessionTtlMs: 300 });
      return { found: await client.findByReference('legacy-acme-00'), pagesSeen, logins: logins() };
    });
    expect(found).toBeNull();
    expect(pagesSeen).toEqual(['1', '2', '2', '3']);
    expect(logins).toBe(2);
  });

  it('turns a 500 into a plain Error, on a page and on the save, recording nothing', async () => {
    const ref = reference();
    const [onSearch, onSave] = await asAcmeBot(async (client, page) => {
      await crm.setQuirks({ failNextRequests: 1 });
      const onSearch = await failureOf(client.findByReference(ref));
      await page.route('**/customers', async (route) => {
        if (route.request().method() === 'POST') await crm.setQuirks({ failNextRequests: 1 });
        await route.continue();
      });
      const onSave = await failureOf(client.createRecord(sampleCustomer(), ref));
      return [onSearch, onSave];
    });
    for (const error of [onSearch, onSave]) {
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(BusinessException);
      expect((error as Error).message).toContain('HTTP 500');
    }
    expect(await crm.ledger({ reference: ref })).toEqual([]);
  });

  it('finds a record whose save response was lost, so a retry does not save it again', async () => {
    const ref = reference();
    await crm.setQuirks({ submitResponseDelayMs: 1_500 });
    // The bot is gone (its page closed) after the CRM recorded the customer but before it answered.
    const lost = await asAcmeBot(async (client, page) => {
      const saving = failureOf(client.createRecord(sampleCustomer(), ref));
      await crm.waitForEntry(ref);
      await page.close();
      return saving;
    });
    expect(lost).toBeInstanceOf(Error);
    expect(lost).not.toBeInstanceOf(BusinessException);
    await crm.setQuirks({ submitResponseDelayMs: 0 });
    const [entry] = await crm.ledger({ reference: ref });
    const found = await asAcmeBot((client) => client.findByReference(ref));
    expect(found?.recordId).toBe(entry?.recordId);
    expect(await crm.ledger({ reference: ref })).toHaveLength(1);
  });
});
