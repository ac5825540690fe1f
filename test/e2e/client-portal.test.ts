// The client portal in Debian's Chromium against the real stack (API on a port, Temporal, the
// orchestration worker, the DuckDB reporting store): Vera of acme-health signs in, reads
// November's KPIs against the service level's targets (the figures and the charts' tables equal the
// API's GET /clients/acme-health/kpis), drills down to the runs behind a figure and on to a real
// run's steps and audit, downloads the CSV and the printable report, and never sees a figure or a
// run of globex-insurance, whose month of work sits in the same store; its address says "not found".
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/auth';
import { launchChromium, openPage, screenshot, SCREENSHOT_DIR, type WatchedPage } from '../support/browser';
import { startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, temporalClient, uniqueId } from '../support/temporal';
import { ClientOversight } from '../../api/client-oversight';
import { catalogue } from '../../platform/process-catalogue';
import { periodBounds } from '../../reporting/periods';
import type { KpiReport } from '../../reporting/kpi-report';
import { monthOfWork } from '../reporting/month-of-work';

const ACME = 'acme-health';
const GLOBEX = 'globex-insurance';
/** Display names, from the client directory (platform/clients.ts). */
const ACME_NAME = 'Acme Health';
const GLOBEX_NAME = 'Globex Insurance';
const prefix = uniqueId('portal');
// The generated month, moved onto the two demo clients; globex's references say whose they are.
const tag = prefix.slice(-6);
const facts = monthOfWork(150).map(({ fact }) => {
  const client = fact.client === 'kpi-east' ? ACME : GLOBEX;
  const ref = `${client === ACME ? 'ACM' : 'GLX'}-${tag}-${fact.businessRef}`;
  return { ...fact, client, businessRef: ref, runId: `claim-review:${client}:${ref}` };
});
const globexRefs = facts.filter((f) => f.client === GLOBEX).map((f) => f.businessRef);

let api: TestApi;
let oversight: ClientOversight;
let closeTemporal: () => Promise<void>;
let worker: WorkerProcess;
let browser: Browser;
let baseURL: string;
let VERA: Record<string, string>;
let SAM: Record<string, string>;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  [VERA, SAM] = await Promise.all([bearer('vera.acme'), bearer('sam.rivera')]);
  const temporal = await temporalClient();
  closeTemporal = temporal.close;
  oversight = await ClientOversight.open(temporal.client, catalogue.processes);
  await oversight.store.upsert(facts);
  api = await startApi(prefix, { oversight });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  baseURL = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  [worker, browser] = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await api?.close();
  await oversight?.close();
  await closeTemporal?.();
});

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || !watched) return;
  const text = await watched.page.locator('body').innerText().catch(() => '(page closed)');
  console.log(`page at ${watched.page.url()}\nerrors: ${JSON.stringify(watched.errors)}\ncalls:\n  ${watched.calls.join('\n  ')}\n${text}`);
  await screenshot(watched.page, 'failed-client-portal').catch(() => undefined);
});

const get = async <T>(url: string, headers = VERA): Promise<{ status: number; body: T }> => {
  const res = await api.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.json() as T };
};
const pct = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(1)} %`);
const tile = (tab: Page, key: string) => tab.locator(`.tile[data-kpi="${key}"]`);
const tableRows = (tab: Page, id: string) => tab.locator(`#${id}-table tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));

/** A ManualTask run of acme-health decided by Sam: a real run for the drill-down to open. */
async function decidedRun(): Promise<{ runId: string; reference: string }> {
  const reference = uniqueId('PORTAL');
  const res = await api.app.inject({ method: 'POST', url: '/processes/manual-task/runs', headers: SAM, payload: { client: ACME, reference, title: `Sign-off ${reference}`, team: 'claims-review' } });
  expect(res.statusCode, res.body).toBe(201);
  const { runId } = res.json();
  const taskId = await eventually(async () => (await get<{ openTasks?: Array<{ taskId: string }> }>(`/runs/${runId}`, SAM)).body.openTasks?.[0]?.taskId, `the task of ${runId}`, 30_000, 200);
  const done = await api.app.inject({ method: 'POST', url: `/tasks/${taskId}/complete`, headers: SAM, payload: { action: 'approve', data: { note: 'Checked' } } });
  expect(done.statusCode, done.body).toBe(200);
  return { runId, reference };
}

describe('client portal', () => {
  it('shows a client’s viewer their KPIs against targets, the runs behind them and exports, and nothing of another client', async () => {
    const real = decidedRun();
    watched = await openPage(browser, baseURL);
    const { page: tab, errors } = watched;
    await tab.goto('/portal');
    await tab.getByLabel('Access token').fill(VERA.authorization!.replace(/^Bearer /, ''));
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.locator('#operator-name', { hasText: 'Vera' }).waitFor();
    // The client by its name from the directory: GET /clients answers Vera's clients only.
    await tab.locator('#dashboard-title', { hasText: `${ACME_NAME} · Claim review` }).waitFor();
    const clients = await get<{ clients: Array<{ id: string; name: string; timeZone: string }> }>('/clients');
    expect(clients.body.clients).toEqual([{ id: ACME, name: ACME_NAME, timeZone: 'America/New_York' }]);
    expect(decodeURIComponent(tab.url())).toContain(`#/client/${ACME}?`);

    // November, by the month picker.
    await tab.locator('input[name="period"]').fill('2026-11');
    await tab.locator('.level-line', { hasText: 'Month 2026-11 (America/New_York)' }).waitFor();
    const bounds = periodBounds('2026-11', 'America/New_York')!;
    const kpis = await get<KpiReport>(`/clients/${ACME}/kpis?process=claim-review&from=${new Date(bounds.fromMs).toISOString()}&to=${new Date(bounds.toMs).toISOString()}&granularity=week`);
    expect(kpis.status).toBe(200);
    const k = kpis.body;
    expect(k.volume.completed).toBeGreaterThan(30);

    // Every figure on the page is the API's, shown as the API's value formatted.
    const shown: Array<[string, number | null | undefined, string]> = [
      ['turnaround.attainment', k.turnaround.attainment, pct(k.turnaround.attainment)],
      ['quality.passRate', k.quality.passRate, pct(k.quality.passRate)],
      ['straightThrough.rate', k.straightThrough.rate, pct(k.straightThrough.rate)],
      ['cost.perTransaction', k.cost.perTransaction, `${k.cost.perTransaction!.toFixed(2)} USD`],
      ['backlog.open', k.backlog!.open, String(k.backlog!.open)],
      ['volume.completed', k.volume.completed, String(k.volume.completed)],
      ['turnaround.breaches', k.turnaround.breaches, String(k.turnaround.breaches)],
      ['exceptions.business.items', k.exceptions.business.items, String(k.exceptions.business.items)],
      ['exceptions.system.items', k.exceptions.system.items, String(k.exceptions.system.items)],
      ['bots.successRate', k.bots.successRate, pct(k.bots.successRate)],
    ];
    for (const [key, value, text] of shown) {
      expect(Number(await tile(tab, key).getAttribute('data-value')), key).toBeCloseTo(value!, 9);
      expect(await tile(tab, key).locator('.value').textContent(), key).toBe(text);
    }
    // Against the targets: the verdict beside each follows the figures.
    const verdict = async (key: string) => tile(tab, key).locator('.verdict').textContent();
    expect(await verdict('turnaround.attainment')).toBe(k.turnaround.attainment! >= k.turnaround.target! ? 'Met' : 'Missed');
    expect(await verdict('quality.passRate')).toBe(k.quality.passRate! >= k.quality.target! ? 'Met' : 'Missed');
    expect(await tile(tab, 'turnaround.attainment').locator('.detail').textContent()).toContain(`target ≥ ${pct(k.turnaround.target)}`);

    // Four charts drawn by Chart.js, each with its numbers as a table.
    for (const id of ['chart-turnaround', 'chart-volume', 'chart-sla', 'chart-exceptions']) {
      expect(await tab.evaluate((canvasId) => Boolean((window as unknown as { Chart: { getChart(id: string): unknown } }).Chart.getChart(canvasId)), `${id}-canvas`), id).toBe(true);
    }
    expect((await tableRows(tab, 'chart-turnaround')).map((r) => Number(r[1]))).toEqual(k.turnaround.histogram.map((b) => b.items));
    expect(await tableRows(tab, 'chart-volume')).toEqual(k.series.map((p) => [p.bucket, String(p.completed), String(p.backlog)]));
    expect(await tableRows(tab, 'chart-sla')).toEqual(k.series.map((p) => [p.bucket, String(p.withinTarget), String(p.completed), pct(p.attainment)]));
    const causes = [...k.exceptions.business.reasons.map((r) => [r.code, 'Business', String(r.items)]), ...k.exceptions.system.reasons.map((r) => [r.code, 'System', String(r.items)])];
    expect(await tableRows(tab, 'chart-exceptions')).toEqual(causes);

    // The runs behind the breaches: as many as the figure, each acme's own.
    await tile(tab, 'turnaround.breaches').getByRole('link').click();
    await tab.locator('#runs-behind-title', { hasText: 'Past the turnaround target' }).waitFor();
    const behind = tab.locator('#runs-behind tbody tr');
    await expect.poll(() => behind.count()).toBe(k.turnaround.breaches);
    const ids = await behind.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.runId!));
    expect(ids.every((id) => id.startsWith(`claim-review:${ACME}:`))).toBe(true);
    expect(await behind.locator('td:nth-child(6)', { hasText: 'past target' }).count()).toBe(k.turnaround.breaches);
    await screenshot(tab, 'client-portal');
    await tab.evaluate(() => window.scrollTo(0, 0));
    await tab.screenshot({ path: `${SCREENSHOT_DIR}/client-portal-top.png` }); // what a person sees first

    // Exports: the period's runs as CSV and the printable report, both acme's only.
    const csvDownload = tab.waitForEvent('download');
    await tab.getByRole('button', { name: 'Download CSV' }).click();
    const csv = await readFile((await (await csvDownload).path())!, 'utf8');
    expect((await csvDownload).suggestedFilename()).toBe(`${ACME}.claim-review.2026-11.csv`);
    const lines = csv.trim().split('\n');
    expect(lines.length - 1).toBe(k.volume.completed + k.volume.failed + k.volume.cancelled);
    expect(csv).not.toContain(GLOBEX);
    const htmlDownload = tab.waitForEvent('download');
    await tab.getByRole('button', { name: 'Printable report' }).click();
    const html = await readFile((await (await htmlDownload).path())!, 'utf8');
    expect(html).toContain(`Service report: ${ACME_NAME}`);
    expect(html).toContain(pct(k.turnaround.attainment));

    // Nothing of globex anywhere: no client to switch to, no reference, and its address is not found.
    const everything = await tab.locator('body').innerText();
    expect(everything).not.toContain(GLOBEX);
    expect(everything).not.toContain(GLOBEX_NAME);
    expect(everything).toContain(ACME_NAME);
    expect(globexRefs.some((ref) => everything.includes(ref))).toBe(false);
    expect(await tab.locator('#client-switch option').allTextContents()).toEqual([ACME_NAME]);
    expect(await tab.locator('#client-switch option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual([ACME]);
    expect((await get(`/clients/${GLOBEX}/kpis`)).status).toBe(404);
    expect((await get(`/clients/${GLOBEX}/reports/2026-11/runs?figure=breached`)).status).toBe(404);
    await tab.evaluate((client) => (location.hash = `#/client/${client}?period=2026-11`), GLOBEX);
    await tab.locator('#missing-view .error', { hasText: `No client ${GLOBEX} here: this portal shows ${ACME_NAME} only` }).waitFor();
    expect(await tab.locator('#dashboard-view').isHidden()).toBe(true);

    // A real run behind this month's figures: from the drill-down to its steps and audit trail.
    const { runId, reference } = await real;
    const december = new Date().toISOString().slice(0, 7);
    await eventually(async () => {
      const runs = await get<{ runs: Array<{ runId: string }> }>(`/clients/${ACME}/reports/${december}/runs?figure=completed&limit=5000`);
      return runs.body.runs?.some((r) => r.runId === runId);
    }, 'the decided run in the store', 30_000, 500);
    await tab.evaluate((client) => (location.hash = `#/client/${client}?process=&period=${new Date().toISOString().slice(0, 7)}`), ACME);
    await tab.locator('#dashboard-title', { hasText: `${ACME_NAME} · all processes` }).waitFor();
    await tile(tab, 'volume.completed').getByRole('link').click();
    const row = tab.locator(`#runs-behind tr[data-run-id="${runId}"]`);
    await row.waitFor();
    await row.getByRole('link', { name: 'Steps' }).click();
    await tab.locator('#run-title', { hasText: reference }).waitFor();
    await tab.locator('section[aria-labelledby="audit-title"] tbody tr').filter({ hasText: 'sam.rivera' }).filter({ hasText: 'Complete' }).waitFor();
    await tab.keyboard.press('Escape');
    await tab.locator('#runs-behind-title', { hasText: 'Completed items' }).waitFor();
    expect(errors).toEqual([]);
  });
});
