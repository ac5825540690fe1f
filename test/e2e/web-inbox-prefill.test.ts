// The inbox's exception and QA forms start from the item's current data, in Debian's Chromium on
// the real stack (API on a port, Temporal, orchestration and bot workers, the sandbox CRM and
// claims system). A document the CRM refused opens fix-and-retry holding the record the bot tried
// to key; changing one field and submitting retries with exactly that record. A sampled claim's QA
// "fail" starts from the amount entered; the reviewer's new amount is the correction the bot enters.
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/auth';
import { launchChromium, openPage, screenshot, SCREENSHOT_DIR, type WatchedPage } from '../support/browser';
import { freshClaim, sandbox, startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, stackEnv, uniqueId } from '../support/temporal';
import { AccountNumbers, customer, documentOf } from './fixtures/crm-documents';
import { SEED_CUSTOMERS } from '../../sandbox/client-crm/seed';
import { CRM_FIELDS, type CrmRecord } from '../../workflows/data-entry/record';

let api: TestApi;
let workers: WorkerProcess[] = [];
let browser: Browser;
let baseURL: string;
let watched: WatchedPage | undefined;
const prefix = uniqueId('prefill');
const TENANT = 'acme-health';
const accounts = new AccountNumbers();
const DANA = await bearer('dana.kim');
const SAM = await bearer('sam.rivera');
const ANA = await bearer('ana.lima');

beforeAll(async () => {
  api = await startApi(prefix);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  baseURL = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  [workers, browser] = await Promise.all([
    Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix })]),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.allSettled(workers.map((w) => w.stop()));
  await api?.close();
});

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || !watched) return;
  const text = await watched.page.locator('body').innerText().catch(() => '(page closed)');
  console.log(`page at ${watched.page.url()}\nerrors: ${JSON.stringify(watched.errors)}\ncalls:\n  ${watched.calls.join('\n  ')}\n${text}`);
  await screenshot(watched.page, 'failed-inbox-prefill').catch(() => undefined);
});

async function get(url: string, headers: Record<string, string> = SAM) {
  const res = await api.app.inject({ method: 'GET', url, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function signIn(operatorId: string, name: string): Promise<WatchedPage> {
  watched = await openPage(browser, baseURL);
  const { page } = watched;
  await page.goto('/inbox');
  await page.getByLabel('Access token').fill((await bearer(operatorId)).authorization!.replace(/^Bearer /, ''));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#operator-name', { hasText: name }).waitFor();
  return watched;
}

const field = (page: WatchedPage['page'], path: string) => page.locator(`.decision [data-schemapath="root.${path}"] :is(input, textarea, select)`).first();

describe('web inbox forms start from the item’s data', () => {
  it('opens fix-and-retry with the record the bot tried to key, and retries with the edited one', async () => {
    // A valid record whose account number an existing customer already has: the CRM refuses it.
    const seeded = SEED_CUSTOMERS.find((c) => c.tenant === TENANT && c.recordId === 'CR-100007')!;
    const record: CrmRecord = customer(11, seeded.accountNumber);
    const batchKey = uniqueId('prefill');
    const started = await api.app.inject({ method: 'POST', url: '/processes/data-entry/runs', headers: SAM, payload: { client: TENANT, batchKey, documents: [documentOf('D-11', record)] } });
    expect(started.statusCode, started.body).toBe(201);
    const runId = started.json().runId as string;
    const batchId = await eventually(async () => (await get(`/runs/${runId}`)).batches?.[0]?.batchId as string | undefined, 'the batch', 60_000, 250);
    const itemRunId = await eventually(async () => (await get(`/batches/${batchId}`)).attended?.[0]?.itemRunId as string | undefined, 'the refused document’s own run', 120_000, 250);
    const task = await eventually(async () => (await get(`/runs/${itemRunId}`)).openTasks[0] as { taskId: string; kind: string } | undefined, 'the exception task', 60_000, 250);
    expect(task.kind).toBe('data-entry.document-exception');
    expect((await get(`/tasks/${task.taskId}`, DANA)).form.prefill).toEqual({ 'fix-and-retry': { item: record } });

    const { page, errors } = await signIn('dana.kim', 'Dana Kim');
    await page.goto(`/inbox#/task/${encodeURIComponent(task.taskId)}`);
    await page.locator('#task-title', { hasText: 'D-11' }).waitFor();
    await page.getByRole('button', { name: 'Fix and retry', exact: true }).click();
    await page.getByRole('button', { name: 'Submit: Fix and retry' }).waitFor();
    // Every field of the record, as the bot had it.
    for (const name of CRM_FIELDS) expect(await field(page, `item.${name}`).inputValue(), name).toBe(record[name]);
    const fresh = accounts.take();
    await field(page, 'item.accountNumber').fill(fresh);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SCREENSHOT_DIR}/inbox-fix-and-retry.png`, fullPage: true });
    await page.getByRole('button', { name: 'Submit: Fix and retry' }).click();
    await page.locator('#toast', { hasText: 'Done' }).waitFor();

    // The retry keyed the edited record, once, with every other field as it was.
    const keyed = await eventually(async () => {
      const url = new URL('/__ledger', stackEnv().SANDBOX_CRM_URL);
      url.search = new URLSearchParams({ tenant: TENANT }).toString();
      const entries = ((await (await fetch(url)).json()) as { entries: Array<{ externalReference: string; fields: CrmRecord }> }).entries.filter((e) => e.externalReference.startsWith(`${batchKey}:`));
      return entries.length > 0 && entries;
    }, 'the record in the CRM', 90_000, 500);
    expect(keyed).toHaveLength(1);
    expect(keyed[0]!.fields).toMatchObject({ ...record, accountNumber: fresh });
    expect(errors).toEqual([]);
  });

  it('starts a QA failure’s correction from the amount entered; the reviewer’s amount is what the bot enters', async () => {
    // A claim the bot approves on its own (120.00), every one sampled, reviewed by the claims team.
    const claimRef = freshClaim('CLM-1001');
    const res = await api.app.inject({
      method: 'POST',
      url: '/processes/claim-review/runs',
      headers: SAM,
      payload: { client: TENANT, claimRef, qaSampling: { botRate: 1, humanRate: 1, team: 'claims-review' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const runId = res.json().runId as string;
    const task = await eventually(async () => ((await get(`/runs/${runId}`)).openTasks as Array<{ taskId: string; kind: string }>).find((t) => t.kind === 'claim-review.qa'), 'the QA task', 90_000, 250);

    const { page, errors } = await signIn('ana.lima', 'Ana Lima');
    await page.goto(`/inbox#/task/${encodeURIComponent(task.taskId)}`);
    await page.locator('#task-title', { hasText: claimRef }).waitFor();
    expect(await page.locator('.task-head .meta').innerText()).toContain('Acme Health'); // the client's name, not its id
    await page.getByRole('button', { name: 'Fail', exact: true }).click();
    const amount = field(page, 'correction.amountCents');
    expect(Number(await amount.inputValue())).toBe(120); // what was entered, in currency units
    await field(page, 'reason').fill('Duplicate line on the invoice');
    await amount.fill('100.00');
    await page.getByRole('button', { name: 'Submit: Fail' }).click();
    await page.locator('#toast', { hasText: 'Done' }).waitFor();

    const run = await eventually(async () => {
      const r = await get(`/runs/${runId}`, ANA);
      return r.status !== 'running' && r;
    }, 'the run to finish', 90_000, 250);
    expect(run.outcome).toMatchObject({ kind: 'adjudicated', amountCents: 10_000 });
    expect(await sandbox.ledger({ reference: `${runId}:qa-correction` })).toMatchObject([{ amountCents: 10_000 }]);
    expect(errors).toEqual([]);
  });
});
