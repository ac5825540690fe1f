// The web inbox's runs page in Debian's Chromium against the real stack (API on a port, Temporal,
// the orchestration worker): an operator filters the runs of their clients, opens a run's steps
// and its audit trail, and goes back to the same filtered list; another client's runs never show.
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/auth';
import { launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser';
import { startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, uniqueId } from '../support/temporal';

let api: TestApi;
let worker: WorkerProcess;
let browser: Browser;
let baseURL: string;
const prefix = uniqueId('webruns');
let SAM: Record<string, string>;
const started: string[] = [];
let watched: WatchedPage | undefined;

beforeAll(async () => {
  SAM = await bearer('sam.rivera');
  api = await startApi(prefix);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  baseURL = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  [worker, browser] = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  // Decide what is still open, so no later test's queue (rebuilt from Temporal) inherits it.
  for (const runId of started) {
    const run = (await api.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: SAM })).json();
    for (const task of run.openTasks ?? []) await api.app.inject({ method: 'POST', url: `/tasks/${task.taskId}/complete`, headers: SAM, payload: { action: 'approve', data: {} } });
  }
  await worker?.stop();
  await api?.close();
});

// A failed test leaves what the page showed: its text and calls in the log, and a screenshot.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || !watched) return;
  const text = await watched.page.locator('body').innerText().catch(() => '(page closed)');
  console.log(`page at ${watched.page.url()}\nerrors: ${JSON.stringify(watched.errors)}\ncalls:\n  ${watched.calls.join('\n  ')}\n${text}`);
  await screenshot(watched.page, 'failed-runs-page').catch(() => undefined);
});

async function startManual(client: string, reference: string): Promise<{ runId: string; taskId: string }> {
  const res = await api.app.inject({ method: 'POST', url: '/processes/manual-task/runs', headers: SAM, payload: { client, reference, title: `Sign-off ${reference}`, team: 'claims-review' } });
  expect(res.statusCode, res.body).toBe(201);
  const { runId } = res.json();
  started.push(runId);
  const taskId = await eventually(async () => (await api.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: SAM })).json().openTasks?.[0]?.taskId as string | undefined, `the task of ${runId}`, 30_000, 200);
  return { runId, taskId };
}

describe('web inbox: runs', () => {
  it('lists the operator’s runs with filters and opens a run’s steps and audit trail', async () => {
    const ref = uniqueId('WR');
    const decided = await startManual('acme-health', `${ref}-A1`);
    const open = await startManual('acme-health', `${ref}-A2`);
    const globex = await startManual('globex-insurance', `${ref}-G1`);
    const decision = await api.app.inject({ method: 'POST', url: `/tasks/${decided.taskId}/complete`, headers: SAM, payload: { action: 'approve', data: { note: 'Checked' } } });
    expect(decision.statusCode, decision.body).toBe(200);
    // Visibility catches up a moment later.
    await eventually(async () => {
      const listed = (await api.app.inject({ method: 'GET', url: `/runs?status=completed&businessRef=${ref}-A1`, headers: SAM })).json();
      return listed.runs?.length === 1;
    }, 'the decided run listed as completed', 30_000, 250);

    // Ben serves acme-health only.
    watched = await openPage(browser, baseURL);
    const { page: tab, errors } = watched;
    // The team's queue answers only once the filter below is typed: the page must not route again
    // when the queue arrives late (a slow machine did, resetting the runs filter under the user).
    let releaseQueue!: () => void;
    const queueHeld = new Promise<void>((resolve) => (releaseQueue = resolve));
    await tab.route((url) => /^\/teams\/[^/]+\/tasks$/.test(url.pathname), async (route) => {
      await queueHeld;
      await route.continue();
    });
    await tab.goto('/inbox');
    await tab.getByLabel('Access token').fill((await bearer('ben.okafor')).authorization!.replace(/^Bearer /, ''));
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.locator('#operator-name', { hasText: 'Ben Okafor' }).waitFor();
    await tab.getByRole('link', { name: 'Runs' }).click();
    const list = tab.locator('#runs-view');
    const rows = list.locator('tbody tr');
    await tab.locator(`#runs-view tr[data-run-id="${open.runId}"]`).waitFor();
    expect(await tab.locator(`#runs-view tr[data-run-id="${globex.runId}"]`).count(), 'another client’s run').toBe(0);
    const clients = await rows.locator('td:nth-child(3)').allTextContents();
    expect(clients.length).toBeGreaterThanOrEqual(2);
    // The client by its name from the client directory (acme-health is "Acme Health").
    expect(new Set(clients)).toEqual(new Set(['Acme Health']));
    // Newest first: the open run started after the decided one.
    const order = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.runId));
    expect(order.indexOf(open.runId)).toBeLessThan(order.indexOf(decided.runId));

    // Filters: the reference and the status narrow the list, and the address keeps them.
    await list.getByLabel('Reference').fill(`${ref}-A`);
    releaseQueue();
    await tab.waitForResponse((res) => /\/teams\/[^/]+\/tasks\?/.test(res.url()));
    await tab.locator('#runs-view .empty', { hasText: 'No runs match' }).waitFor(); // exact references only
    await list.getByLabel('Reference').fill(`${ref}-A1`);
    await tab.locator(`#runs-view tr[data-run-id="${decided.runId}"]`).waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    await list.getByLabel('Reference').fill('');
    await list.getByLabel('Status').selectOption('waiting-human');
    await tab.locator(`#runs-view tr[data-run-id="${open.runId}"] td.status`, { hasText: 'Waiting on a person' }).waitFor();
    expect(await tab.locator(`#runs-view tr[data-run-id="${decided.runId}"]`).count()).toBe(0);
    await list.getByLabel('Status').selectOption('completed');
    await tab.locator(`#runs-view tr[data-run-id="${decided.runId}"] td.status`, { hasText: 'Completed' }).waitFor();
    await list.getByLabel('Process').selectOption('manual-task');
    await tab.locator(`#runs-view tr[data-run-id="${decided.runId}"]`).waitFor();
    expect(decodeURIComponent(tab.url())).toContain('#/runs?process=manual-task');
    expect(tab.url()).toContain('status=completed');
    await screenshot(tab, 'inbox-runs');

    // The run's steps and its audit trail: who decided, and what.
    await tab.locator(`#runs-view tr[data-run-id="${decided.runId}"]`).getByRole('link', { name: 'Steps' }).click();
    await tab.locator('#run-title', { hasText: `${ref}-A1` }).waitFor();
    const steps = tab.locator('section[aria-labelledby="steps-title"] li');
    await steps.first().waitFor();
    expect(await steps.count()).toBeGreaterThan(0);
    const audit = tab.locator('section[aria-labelledby="audit-title"] tbody tr');
    await audit.filter({ hasText: 'sam.rivera' }).filter({ hasText: 'Complete' }).waitFor();
    expect(await audit.first().textContent()).toContain('Started');
    expect(await tab.locator('#run-view .badge').textContent()).toBe('Completed');
    await screenshot(tab, 'inbox-run');

    // Esc goes back to the same filtered list; the Audit link lands on the trail.
    await tab.keyboard.press('Escape');
    await tab.locator(`#runs-view tr[data-run-id="${decided.runId}"]`).waitFor();
    expect(await list.getByLabel('Status').inputValue()).toBe('completed');
    await tab.locator(`#runs-view tr[data-run-id="${decided.runId}"]`).getByRole('link', { name: 'Audit' }).click();
    await tab.locator('#audit-title:focus').waitFor();
    // Another client's run by its address: refused like a missing one.
    await tab.goto(`/inbox#/run/${encodeURIComponent(globex.runId)}`);
    await tab.locator('#run-view .error', { hasText: 'No such run' }).waitFor();
    expect(errors).toEqual([]);
  });
});
