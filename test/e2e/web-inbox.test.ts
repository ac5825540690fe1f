// The web inbox in Debian's Chromium against the whole real stack (API listening on a port,
// Temporal, orchestration and bot workers, the sandbox claims system): an operator takes the next
// claim, corrects it and the run enters exactly that amount; two operators watch one queue live.
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/auth';
import { launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser';
import { freshClaim, sandbox, startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, uniqueId } from '../support/temporal';
import { DEFAULT_QUIRKS } from '../../sandbox/claims-system/quirks';

let api: TestApi;
let workers: WorkerProcess[] = [];
let browser: Browser;
let baseURL: string;
const pages: WatchedPage[] = [];
const startedRuns: string[] = [];
const prefix = uniqueId('web');
let ANA: Record<string, string>;
/** A supervisor: starts runs (as a scheduler would) and reads them. */
let SAM: Record<string, string>;

beforeAll(async () => {
  [ANA, SAM] = await Promise.all([bearer('ana.lima'), bearer('sam.rivera')]);
  api = await startApi(prefix);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  baseURL = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  [workers, browser] = await Promise.all([
    Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix })]),
    launchChromium(),
  ]);
});

afterAll(async () => {
  // The browser first: its open event streams would otherwise hold the API's close.
  await browser?.close();
  // Decide what this file left open, so no later test's queue (rebuilt from Temporal) inherits it.
  await Promise.allSettled(startedRuns.map(approveLeftovers));
  await Promise.allSettled(workers.map((w) => w.stop()));
  await api?.close();
});

// A failed test leaves what each page showed: its text in the log, a screenshot beside the others.
afterEach(async (context) => {
  const open = pages.splice(0);
  if (context.task.result?.state === 'fail') {
    for (const [i, { page, errors, calls }] of open.entries()) {
      const text = await page.locator('body').innerText().catch(() => '(page closed)');
      console.log(`page ${i} at ${page.url()}\nerrors: ${JSON.stringify(errors)}\ncalls:\n  ${calls.join('\n  ')}\n${text}`);
      await screenshot(page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}-${i}`).catch(() => undefined);
    }
  }
  await Promise.allSettled(open.map(({ context: browserContext }) => browserContext.close()));
});

async function getRun(runId: string) {
  const res = await api.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: SAM });
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** Starts a ClaimReview above the auto-approve threshold; resolves once its review task is in the team's queue. */
async function startReview(client: string, like: string, priority = 3, extra: Record<string, unknown> = {}): Promise<{ runId: string; taskId: string; claimRef: string }> {
  const claimRef = freshClaim(like);
  const res = await api.app.inject({ method: 'POST', url: '/processes/claim-review/runs', headers: SAM, payload: { client, claimRef, priority, ...extra } });
  expect(res.statusCode).toBe(201);
  const { runId } = res.json();
  startedRuns.push(runId);
  const task = await eventually(async () => (await getRun(runId)).openTasks[0], `the review task of ${claimRef}`, 60_000, 200);
  await eventually(async () => (await api.index.get(task.taskId))?.taskId, `${claimRef}'s task in the index`);
  return { runId, taskId: task.taskId, claimRef };
}

const finished = (runId: string) =>
  eventually(async () => {
    const run = await getRun(runId);
    return run.status !== 'running' && run;
  }, `run ${runId} to finish`, 60_000, 200);

async function approveLeftovers(runId: string): Promise<void> {
  for (const task of (await getRun(runId)).openTasks) {
    await api.app.inject({ method: 'POST', url: `/tasks/${task.taskId}/complete`, headers: SAM, payload: { action: 'approve', data: {} } });
  }
  await finished(runId);
}

/** Signs in as a person of the demo roster, pasting the token their identity provider would issue. */
async function signIn(operatorId: string, name: string): Promise<WatchedPage> {
  const watched = await openPage(browser, baseURL);
  pages.push(watched);
  const { page } = watched;
  await page.goto('/inbox');
  await page.getByLabel('Access token').fill((await bearer(operatorId)).authorization!.replace(/^Bearer /, ''));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#operator-name', { hasText: name }).waitFor();
  await page.locator('.live[data-state="live"]').waitFor();
  return watched;
}

const row = (page: Page, taskId: string) => page.locator(`#queue-view tr[data-task-id="${taskId}"]`);

describe('web inbox', () => {
  it('an operator takes the next claim, corrects the amount, and the run enters exactly that amount once', async () => {
    const { runId, taskId, claimRef } = await startReview('acme-health', 'CLM-1003', 1);
    const { page, errors } = await signIn('ana.lima', 'Ana Lima');
    expect(await page.locator('#operator-teams').textContent()).toContain('claims-review');

    // A token the API does not accept is refused at sign-in, in another tab.
    const stranger = await openPage(browser, baseURL);
    pages.push(stranger);
    await stranger.page.goto('/inbox');
    await stranger.page.getByLabel('Access token').fill('not.a.token');
    await stranger.page.getByRole('button', { name: 'Sign in' }).click();
    await stranger.page.locator('#login-error', { hasText: 'Sign-in refused' }).waitFor();

    await page.getByRole('button', { name: /Take next/ }).click();
    await page.locator('#task-title', { hasText: claimRef }).waitFor();
    expect(page.url()).toContain(encodeURIComponent(taskId));
    const details = page.locator('section[aria-labelledby="details-title"]');
    await details.getByText('Chloe Dubois').waitFor();
    expect(await details.textContent()).toContain('980.50');
    await page.locator('.claim-bar', { hasText: 'Claimed by you' }).waitFor();
    // The bot's screenshot, fetched with the operator's header and shown from a blob: URL.
    const shot = page.locator('.screenshot img');
    await shot.waitFor();
    expect(await shot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0 && img.src.startsWith('blob:'))).toBe(true);

    // A refused decision: the run's problem title above the form, its message under the field it names.
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByRole('button', { name: 'Submit: Reject' }).click();
    await page.locator('.decision .problem', { hasText: 'The decision does not match the task form' }).waitFor();
    const reasonError = page.locator('.decision [data-schemapath="root.reason"] .field-error');
    expect(await reasonError.textContent()).toMatch(/reason of at least 3 characters/);

    await page.getByRole('button', { name: 'Correct', exact: true }).click();
    const amount = page.getByLabel('Amount', { exact: false }).first();
    expect(Number(await amount.inputValue())).toBe(980.5); // starts from the claim's amount, in currency units
    await amount.fill('900.00');
    await page.getByLabel('Reason').fill('Duplicate line item removed');
    await screenshot(page, 'inbox-task');
    await page.getByRole('button', { name: 'Submit: Correct' }).click();
    await page.locator('#toast', { hasText: 'Done' }).waitFor();
    await page.locator('#queue-view').waitFor();
    expect(page.url()).toMatch(/#\/queue$/);
    expect(await row(page, taskId).count()).toBe(0);

    const run = await finished(runId);
    expect(run.status).toBe('completed');
    expect(run.outcome).toMatchObject({ kind: 'adjudicated', amountCents: 90_000, decidedBy: 'ana.lima' });
    const entries = await sandbox.ledger({ reference: `${runId}:enter-decision` });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.amountCents).toBe(90_000);
    expect(errors).toEqual([]);
  });

  it('shows a task approved by one operator vanishing from another operator’s queue within a second', async () => {
    const [big, other] = [await startReview('acme-health', 'CLM-1007', 2), await startReview('acme-health', 'CLM-1002', 3)];
    const globex = await startReview('globex-insurance', 'CLM-2002', 3);
    await api.app.inject({ method: 'POST', url: `/tasks/${other.taskId}/labels`, headers: ANA, payload: { add: ['second-look'] } });

    const ana = await signIn('ana.lima', 'Ana Lima');
    const ben = await signIn('ben.okafor', 'Ben Okafor');
    for (const { taskId } of [big, other]) {
      await row(ana.page, taskId).waitFor();
      await row(ben.page, taskId).waitFor();
    }
    await row(ana.page, globex.taskId).waitFor();
    expect(await row(ben.page, globex.taskId).count(), 'Ben serves acme-health only').toBe(0);

    // Keyboard: j moves the cursor down, k back up; x selects the current row.
    await ana.page.keyboard.press('j');
    await ana.page.keyboard.press('k');
    await ana.page.keyboard.press('x');
    await ana.page.locator('#queue-view tr.current input[type="checkbox"]:checked').waitFor();
    await ana.page.locator('#queue-view tr.current input[type="checkbox"]').uncheck();
    await row(ana.page, big.taskId).getByRole('checkbox').check();
    await screenshot(ana.page, 'inbox-queue');

    const replied = ana.page.waitForResponse((res) => res.url().endsWith('/tasks/bulk-complete'));
    await ana.page.getByRole('button', { name: 'Approve selected (1)' }).click();
    const reply = await replied;
    const repliedAt = Date.now();
    expect(reply.status()).toBe(200);
    expect((await reply.json()).results).toEqual([expect.objectContaining({ taskId: big.taskId, ok: true })]);
    await row(ben.page, big.taskId).waitFor({ state: 'detached', timeout: 1_000 });
    console.log(`bulk approve reply → row gone from the other operator's queue: ${Date.now() - repliedAt} ms`);
    await ana.page.locator('.bulk-results', { hasText: '1 approved' }).waitFor();
    expect(await row(ana.page, big.taskId).count()).toBe(0);
    expect(await row(ben.page, other.taskId).count()).toBe(1);

    // Keyboard only: Enter opens the focused row, a opens the approve form, Esc leaves the field, Esc goes back.
    const benRows = ben.page.locator('#queue-view tbody tr');
    await row(ben.page, other.taskId).focus();
    await ben.page.keyboard.press('Enter');
    await ben.page.locator('#task-title', { hasText: other.claimRef }).waitFor();
    await ben.page.keyboard.press('a');
    await ben.page.getByRole('button', { name: 'Submit: Approve' }).waitFor();
    expect(await ben.page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('root[reason]');
    await ben.page.keyboard.press('Escape');
    await ben.page.keyboard.press('Escape');
    await ben.page.locator('#queue-view').waitFor();
    expect(ben.page.url()).toMatch(/#\/queue$/);
    expect(await benRows.count()).toBeGreaterThan(0);

    expect((await finished(big.runId)).outcome).toMatchObject({ kind: 'adjudicated', decision: 'approve', amountCents: 1_287_500, decidedBy: 'ana.lima' });
    expect([...ana.errors, ...ben.errors]).toEqual([]);
  });

  it('renews the operator’s lease while the task is open, and releases it on request', async () => {
    const { taskId } = await startReview('acme-health', 'CLM-1008', 3, { autoApproveBelowCents: 0 });
    const claimed = (await api.app.inject({ method: 'POST', url: `/tasks/${taskId}/claim`, headers: ANA, payload: { leaseMs: 6_000 } })).json();
    const firstUntil = Date.parse(claimed.claim.until);
    const { page, errors } = await signIn('ana.lima', 'Ana Lima');
    await page.evaluate((id) => (location.hash = `#/task/${encodeURIComponent(id)}`), taskId);
    await page.locator('.claim-bar', { hasText: 'Claimed by you' }).waitFor();

    const taskNow = async () => (await api.app.inject({ method: 'GET', url: `/tasks/${taskId}`, headers: ANA })).json();
    await eventually(async () => Date.parse((await taskNow()).claim?.until ?? '0') > firstUntil, 'the page to renew the lease', 10_000, 250);
    // Past the first lease's end the task is still Ana's: the page kept renewing it.
    await new Promise((r) => setTimeout(r, Math.max(0, firstUntil + 1_000 - Date.now())));
    const held = await taskNow();
    expect(held).toMatchObject({ status: 'claimed', claim: { operatorId: 'ana.lima' } });
    expect(held.events.map((e: { event: string }) => e.event)).toContain('renewed');

    await page.locator('.claim-bar').getByRole('button', { name: 'Release' }).click();
    await page.locator('.claim-bar', { hasText: 'nobody is on it' }).waitFor();
    expect((await taskNow()).status).toBe('open');
    expect(errors).toEqual([]);
  });
  it('runs an attended bot from the task: disabled while it runs, its steps and result live, and plainly why it failed', async () => {
    const { taskId, claimRef } = await startReview('acme-health', 'CLM-1003', 3);
    const { page, errors } = await signIn('ana.lima', 'Ana Lima');
    await page.evaluate((id) => (location.hash = `#/task/${encodeURIComponent(id)}`), taskId);
    const bots = page.locator('section.bots');
    const button = bots.locator('button.bot-button[data-bot="refetchClaim"]');
    await button.waitFor();
    expect(await button.textContent()).toBe('Run Refetch claim');

    await button.click();
    // Disabled from the click on, until the run is over.
    expect(await button.isDisabled()).toBe(true);
    const done = bots.locator('.bot-row[data-status="done"]');
    await done.waitFor({ timeout: 30_000 });
    expect(await button.isEnabled()).toBe(true);
    const text = await done.innerText();
    expect(text).toContain('Done at');
    expect(text).toContain('reading the claim');
    expect(text).toContain(claimRef);
    expect(text).toContain('98050');
    await screenshot(page, 'inbox-bot-done');

    // Every page of the claims system now hangs for a minute: the bot is stopped at its deadline.
    await sandbox.quirks({ slowPageProbability: 1, slowPageDelayMs: 60_000 });
    try {
      await button.click();
      await bots.locator('.bot-row[data-status="running"]').waitFor({ timeout: 10_000 });
      expect(await button.isDisabled()).toBe(true);
      expect(await button.textContent()).toBe('Refetch claim: running…');
      await screenshot(page, 'inbox-bot-running');
      await bots.locator('.bot-row[data-status="failed"]').waitFor({ timeout: 45_000 });
    } finally {
      await sandbox.quirks(DEFAULT_QUIRKS);
    }
    const failed = bots.locator('.bot-row[data-status="failed"]');
    expect(await failed.getByRole('alert').innerText()).toMatch(/Failed at .+: The bot did not finish within 20 s and was stopped\./);
    await failed.getByRole('button', { name: 'Screenshot' }).waitFor();
    await failed.getByRole('button', { name: 'Trace' }).waitFor();
    expect(await button.isEnabled()).toBe(true);
    await screenshot(page, 'inbox-bot-failed');
    expect(errors).toEqual([]);
  }, 120_000);
});
