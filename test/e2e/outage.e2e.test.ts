// Degraded modes on a Temporal and a Redis of the test's own (free ports; the shared test stack is
// never touched): the real API and orchestration worker processes, runs waiting at their tasks,
// then Temporal, Redis, and both killed (SIGKILL) and started again (Redis empty). Every call
// meanwhile is answered within the stated deadline, with 503 problem+json naming the dependency and
// Retry-After, or served degraded; none hangs, none is a 500; after the return the same decision
// goes through once, take-next works while the index rebuilds, the same worker finishes the run, and
// the webhook of a task reassigned meanwhile reaches its subscriber once.
// Outages last TANDEM_OUTAGE_S seconds (default 3; `npm run test:outage` runs them for 20 s).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDrill, summarise, type Answer, type Drill, type OutageReport } from '../../bench/lib/outage-drill';
import { TEMPORAL_DEADLINES } from '../../platform/dependencies/temporal-guard';
import { stackEnv } from '../support/temporal';
import { launchChromium, openPage, screenshot } from '../support/browser';

const OUTAGE_MS = Number(process.env.TANDEM_OUTAGE_S ?? 3) * 1000;
/** The longest per-call deadline, plus room for a loaded machine to send the answer. */
const ANSWER_WITHIN_MS = TEMPORAL_DEADLINES.slow + 2_000;

let drill: Drill;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(`${tmpdir()}/tandem-outage-test-`);
  drill = await startDrill({ dir, outageMs: OUTAGE_MS, outages: ['temporal', 'redis', 'both'], bundle: stackEnv().TANDEM_WORKFLOW_BUNDLE, clientTimeoutMs: 30_000 });
}, 240_000);
afterAll(async () => {
  await drill?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function of(report: OutageReport, call: Answer['call']): Answer[] {
  return report.answers.filter((a) => a.call === call);
}

/** What holds for every outage: bounded answers, no 500, 503s that say what and when to retry. */
function expectFailFast(report: OutageReport) {
  process.stdout.write(`${summarise(report).join('\n')}\n`);
  expect(report.answers.length).toBeGreaterThan(5);
  for (const answer of report.answers) {
    expect(answer.status, JSON.stringify(answer)).not.toBe('no answer');
    expect(answer.status, JSON.stringify(answer)).not.toBe(500);
    expect(answer.ms, JSON.stringify(answer)).toBeLessThan(ANSWER_WITHIN_MS);
    if (answer.status === 503) {
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      if (answer.call !== 'ready') expect(answer.problem).toBe('urn:tandem:problem:dependency-unavailable');
    }
  }
  expect(report.recordedDecisions, 'the decision is recorded exactly once').toBe(1);
  expect(report.returnToDecisionMs, 'a decision after the return').toBeDefined();
  expect(report.returnToRunDoneMs, 'the same worker finishes the run').toBeDefined();
  // The webhook of a task reassigned meanwhile goes out once it can, exactly once.
  expect(report.webhook.returnToDeliveryMs, 'the task.assigned webhook delivered').toBeDefined();
  expect(report.webhook.deliveries, 'the task.assigned webhook delivered once').toBe(1);
  expect(drill.notifier.alive).toBe(true);
  expect(drill.worker.alive && drill.apiProcess.alive).toBe(true);
}

describe('degraded modes', () => {
  it('Temporal away: calls that need it answer 503 at once, the team list is served from the index marked stale', async () => {
    const report = await drill.run('temporal');
    expectFailFast(report);
    for (const call of ['run', 'decide', 'take-next'] as const) expect(of(report, call).every((a) => a.status === 503 && a.dependency === 'temporal'), call).toBe(true);
    // Refused before anything was sent: the operator is told nothing was recorded.
    expect(of(report, 'decide').filter((a) => a.recorded === 'no').length).toBeGreaterThan(0);
    const lists = of(report, 'team-tasks');
    expect(lists.every((a) => a.status === 200 && (a.marks?.stale as { since?: string })?.since), JSON.stringify(lists[0])).toBe(true);
  });

  it('Redis away, then back empty: decisions go through, lists and take-next come from Temporal visibility', async () => {
    const report = await drill.run('redis');
    expectFailFast(report);
    expect(of(report, 'decide').some((a) => a.status === 200)).toBe(true);
    expect(of(report, 'run').every((a) => a.status === 200)).toBe(true);
    const lists = of(report, 'team-tasks');
    expect(lists.every((a) => a.status === 200 && a.marks?.source === 'temporal' && (a.marks.degraded as { possiblyIncomplete?: boolean })?.possiblyIncomplete)).toBe(true);
    expect(of(report, 'take-next').some((a) => a.status === 200 && a.marks?.source === 'temporal')).toBe(true);
    // Back empty: take-next hands out a task while the index rebuilds, without waiting for it.
    expect(report.returnToTakeNextMs).toBeDefined();
    // Reassigned while Redis was away: its webhook waited in Temporal, not in the lost Redis.
    expect(report.webhook.emittedWhileAway).toBe(true);
  });

  it('both away: everything answers 503 at once, and all heals by itself', async () => {
    const report = await drill.run('both');
    expectFailFast(report);
    for (const call of ['run', 'decide', 'take-next', 'team-tasks'] as const) expect(of(report, call).every((a) => a.status === 503), call).toBe(true);
    expect(report.returnToTakeNextMs).toBeDefined();
  });

  it('the web inbox shows a banner, disables actions with the reason while Temporal is away, and recovers by itself (Chromium)', async () => {
    const browser = await launchChromium();
    try {
      const { page } = await openPage(browser, drill.api);
      await page.goto(`/inbox#access_token=${await drill.token('ana.lima')}`);
      const take = page.getByRole('button', { name: /Take next/ });
      await take.waitFor();
      const banner = page.locator('#platform-banner');
      expect(await banner.isHidden()).toBe(true);
      await drill.temporal.kill();
      try {
        await banner.waitFor({ state: 'visible', timeout: 20_000 });
        expect(await banner.innerText()).toMatch(/Temporal is unavailable since .*cannot be recorded now/);
        await expect.poll(() => take.isDisabled(), { timeout: 10_000 }).toBe(true);
        expect(await take.getAttribute('title')).toMatch(/Temporal is unavailable/);
        await screenshot(page, 'inbox-degraded-temporal');
      } finally {
        await drill.temporal.start();
      }
      await banner.waitFor({ state: 'hidden', timeout: 30_000 });
      await expect.poll(() => take.isDisabled(), { timeout: 10_000 }).toBe(false);
      expect(await take.getAttribute('title')).toBeFalsy();
      await screenshot(page, 'inbox-recovered');
    } finally {
      await browser.close();
    }
  });
});
