// PayrollRun through the whole real stack: HTTP API → Temporal → orchestration and bot worker
// processes → Chromium → the sandbox payroll portal, whose ledger is the proof. The bot worker is
// killed (SIGKILL) several times in the middle of the batch.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, stackConfig, stackEnv, temporalClient, uniqueId } from '../support/temporal';
import { bearer, SCHEDULER_KEY, TEST_TOKEN_SETTINGS } from '../support/auth';
import { artifactTexts, decodedHistoryText, leaks, storedSecrets } from '../support/secret-scan';
import { Timesheets } from '../../sandbox/payroll-portal/timesheets';
import { employeesOf } from '../../sandbox/payroll-portal/seed';
import { adjustmentsFor, validateTimesheetLine, type TimesheetLine } from '../../workflows/payroll-run/timesheet';
import { linesToWork } from '../../workflows/payroll-run/workflow';

let api: TestApi;
let orchestration: WorkerProcess;
let bot: WorkerProcess;
const botLogs: string[] = [];
const prefix = uniqueId('payroll');
// A killed worker's login sessions lapse this fast, so its successor does not wait long for them.
const BOT_ENV = { TANDEM_REDIS_PREFIX: prefix, TANDEM_LOGIN_LEASE_MS: '4000' };

beforeAll(async () => {
  api = await startApi(prefix);
  [orchestration, bot] = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', BOT_ENV)]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([orchestration?.stop(), bot?.stop()]);
  await api?.close();
});

const PRIYA = await bearer('priya.nair');
const LEE = await bearer('lee.chen');
const ANA = await bearer('ana.lima');
const SCHEDULER = { 'x-api-key': SCHEDULER_KEY.key };

interface PortalEntry {
  kind: string;
  employeeId: string | null;
  reference: string;
  amountCents: number;
  confirmation: string;
}

async function portalLedger(period: string): Promise<PortalEntry[]> {
  const url = new URL('/__ledger', stackEnv().SANDBOX_PAYROLL_URL);
  url.search = new URLSearchParams({ tenant: 'acme-health', period }).toString();
  const res = await fetch(url);
  if (!res.ok) throw new Error(`payroll ledger: ${res.status}`);
  return ((await res.json()) as { entries: PortalEntry[] }).entries;
}

async function get(url: string, headers: Record<string, string> = LEE) {
  const res = await api.app.inject({ method: 'GET', url, headers });
  if (res.statusCode !== 200) throw new Error(`GET ${url} → ${res.statusCode}: ${res.body}`);
  return res.json();
}

async function complete(taskId: string, action: string, data: unknown, headers = PRIYA) {
  const res = await api.app.inject({ method: 'POST', url: `/tasks/${taskId}/complete`, payload: { action, data } as object, headers });
  expect(res.statusCode, res.body).toBe(200);
}

/** The task of an item's own run, once it is open. */
const itemTask = (itemRunId: string) => eventually(async () => (await get(`/runs/${itemRunId}`, PRIYA)).openTasks[0], `the task of ${itemRunId}`, 60_000, 250);

describe('PayrollRun end to end', () => {
  const period = '2030-01';
  const lines = new Timesheets().of('acme-health', period) as TimesheetLine[];
  const terminated = new Set(employeesOf('acme-health').filter((e) => e.status === 'terminated').map((e) => e.employeeId));
  const work = linesToWork(lines);
  const invalid = work.filter((i) => validateTimesheetLine(i.data).length > 0);
  const refused = work.filter((i) => validateTimesheetLine(i.data).length === 0 && terminated.has(i.ref));
  const clean = work.filter((i) => validateTimesheetLine(i.data).length === 0 && !terminated.has(i.ref));
  let runId: string;
  let batchId: string;

  it('works every line exactly once with the bot worker killed three times mid-batch; failures reach operators with evidence; the supervisor approves; submitted once', async () => {
    expect(invalid.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(clean.length).toBeGreaterThanOrEqual(6);

    // One line at a time, so each crash lands with lines still to go.
    const started = await api.app.inject({ method: 'POST', url: '/processes/payroll-run/runs', payload: { client: 'acme-health', period, concurrency: 1 }, headers: SCHEDULER });
    expect(started.statusCode, started.body).toBe(201);
    runId = started.json().runId;
    batchId = await eventually(async () => (await get(`/runs/${runId}`)).batches?.[0]?.batchId as string | undefined, 'the run to start its batch', 120_000, 250);
    expect((await get(`/runs/${runId}`)).waitingOn).toMatchObject({ kind: 'batch', batchId });

    // Three crashes, each while bot steps are under way and items are still left.
    const kills: number[] = [];
    for (const threshold of [1, 3, 5]) {
      const progress = await eventually(async () => {
        const p = await get(`/batches/${batchId}`);
        return p.counts.done >= threshold && p;
      }, `${threshold} lines done`, 180_000, 200);
      expect(progress.counts.pending + progress.counts.running).toBeGreaterThan(0);
      kills.push(progress.counts.done);
      botLogs.push(bot.log);
      await bot.kill();
      bot = await WorkerProcess.start('bot', BOT_ENV);
    }
    expect(kills).toHaveLength(3);

    // Lines failing validation, and the employee the portal refuses, each wait for an operator; the rest go on.
    const waiting = await eventually(async () => {
      const p = await get(`/batches/${batchId}`);
      return p.counts.attended === invalid.length + refused.length && p.counts.done === clean.length && p;
    }, 'every clean line done and the failing ones with operators', 300_000, 500);
    expect(waiting.total).toBe(work.length);

    for (const item of waiting.attended as Array<{ ref: string; itemRunId: string; lastFailure: { kind: string; code: string; evidence?: { screenshot?: string; trace?: string } } }>) {
      const task = await itemTask(item.itemRunId);
      expect(task).toMatchObject({ kind: 'payroll-run.line-exception', team: 'payroll-ops', actions: ['retry', 'fix-and-retry', 'skip', 'complete-manually', 'postpone'] });
      if (terminated.has(item.ref)) {
        expect(item.lastFailure).toMatchObject({ kind: 'business', code: 'EmployeeInactive' });
        // The screenshot of the refusal is linked from the task and served to the client's operators only.
        const screenshot = task.context.failure.evidence.screenshot as string;
        expect(screenshot).toMatch(/\.png$/);
        const image = await api.app.inject({ method: 'GET', url: `/artifacts/${screenshot}`, headers: PRIYA });
        expect(image.statusCode).toBe(200);
        expect(image.headers['content-type']).toBe('image/png');
        expect((await api.app.inject({ method: 'GET', url: `/artifacts/${task.context.failure.evidence.trace}`, headers: PRIYA })).statusCode).toBe(200);
        expect((await api.app.inject({ method: 'GET', url: `/artifacts/${screenshot}`, headers: await bearer('carla.souza') })).statusCode).toBe(404);
        await complete(task.taskId, 'skip', { reason: 'Employee left in December; paid off-cycle' });
      } else {
        expect(item.lastFailure).toMatchObject({ kind: 'business', code: 'InvalidTimesheetLine' });
        const line = task.context.item.data as TimesheetLine;
        const fixed: TimesheetLine = {
          ...line,
          regularHours: Math.min(Math.max(line.regularHours, 0), 160),
          overtimeHours: Math.min(Math.max(line.overtimeHours, 0), 12),
          costCenter: 'OPS-100',
        };
        const refusedFix = await api.app.inject({
          method: 'POST',
          url: `/tasks/${task.taskId}/complete`,
          payload: { action: 'fix-and-retry', data: { item: { ...fixed, bonusCents: -1 } } },
          headers: PRIYA,
        });
        expect(refusedFix.statusCode).toBe(400);
        await complete(task.taskId, 'fix-and-retry', { item: fixed, note: 'Hours checked with the site manager' });
      }
    }

    // The supervisor approves the period's totals, read back from the portal by the bot.
    const approval = await eventually(async () => {
      const run = await get(`/runs/${runId}`);
      return run.openTasks.find((t: { kind: string }) => t.kind === 'payroll-run.approve-totals');
    }, 'the totals to approve', 300_000, 500);
    expect(approval.team).toBe('payroll-supervisors');
    const ledgerBefore = await portalLedger(period);
    const adjustments = ledgerBefore.filter((e) => e.kind !== 'submission');
    expect(approval.context.totals.adjustmentsTotalCents).toBe(adjustments.reduce((sum, e) => sum + e.amountCents, 0));
    expect(approval.context.lines).toMatchObject({ done: clean.length + invalid.length, skipped: refused.length });
    await complete(approval.taskId, 'approve', { note: 'Matches the site reports' }, LEE);

    const run = await eventually(async () => {
      const r = await get(`/runs/${runId}`);
      return r.status !== 'running' && r;
    }, 'the run to finish', 180_000, 500);
    expect(run.status).toBe('completed');
    expect(run.outcome).toMatchObject({ kind: 'submitted', period, approvedBy: 'lee.chen', submission: { submitted: true } });

    // The ledger proves it: each adjustment reference once, the right amount, one submission.
    const ledger = await portalLedger(period);
    const references = ledger.map((e) => e.reference);
    expect(new Set(references).size).toBe(references.length);
    const expected = [...clean, ...invalid].flatMap((item) => {
      const fixedLine = invalid.includes(item)
        ? { ...item.data, regularHours: Math.min(Math.max(item.data.regularHours, 0), 160), overtimeHours: Math.min(Math.max(item.data.overtimeHours, 0), 12), costCenter: 'OPS-100' }
        : item.data;
      return adjustmentsFor(fixedLine).map((a) => `${period}:${item.ref}:${a.kind}`);
    });
    expect(ledger.filter((e) => e.kind !== 'submission').map((e) => e.reference).sort()).toEqual(expected.sort());
    expect(ledger.filter((e) => e.kind === 'submission')).toHaveLength(1);
    expect(ledger.some((e) => refused.some((r) => r.ref === e.employeeId))).toBe(false);
  }, 900_000);

  it('a period already paid is not run again by a plain start; reprocessed, it says at once that the portal has it submitted', async () => {
    const ledgerBefore = await portalLedger(period);
    const plainStart = await api.app.inject({ method: 'POST', url: '/processes/payroll-run/runs', payload: { client: 'acme-health', period, concurrency: 2 }, headers: SCHEDULER });
    expect(plainStart.statusCode).toBe(409);
    expect(plainStart.json()).toMatchObject({ type: 'urn:tandem:problem:business-item-done', run: { runId } });
    const started = await api.app.inject({ method: 'POST', url: `/runs/${runId}/reprocess`, payload: { reason: 'Client re-sent the timesheets' }, headers: LEE });
    expect(started.statusCode, started.body).toBe(201);
    const rerunId = started.json().runId as string;
    expect(rerunId).toBe(`${runId}:r2`);
    const run = await eventually(async () => {
      const r = await get(`/runs/${rerunId}`);
      return r.status !== 'running' && r;
    }, 'the re-run to finish', 120_000, 500);
    // One outcome, no batch, no exception per remaining line, nothing written.
    expect(run.outcome).toMatchObject({ kind: 'already-submitted', period, totals: { status: 'submitted' } });
    expect(run.steps.map((s: { step: string }) => s.step)).toEqual(['check-period']);
    expect(run.batches ?? []).toEqual([]);
    expect(await portalLedger(period)).toEqual(ledgerBefore);
  }, 300_000);

  it('leaves no stored credential in any history, log line or artifact of the runs', async () => {
    const secrets = [...(await storedSecrets(stackConfig())), TEST_TOKEN_SETTINGS.secret!, PRIYA.authorization!.slice(7), LEE.authorization!.slice(7), ANA.authorization!.slice(7), SCHEDULER_KEY.key];
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    const places = new Map<string, string>();
    const { client, close } = await temporalClient();
    try {
      for await (const execution of client.workflow.list({ query: "TandemProcess = 'payroll-run'" })) {
        places.set(`history ${execution.workflowId} ${execution.runId}`, await decodedHistoryText(client, execution.workflowId, execution.runId));
      }
    } finally {
      await close();
    }
    // The parent runs, every generation of the batches and the item runs.
    expect([...places.keys()].filter((k) => k.includes('.batch.')).length).toBeGreaterThanOrEqual(2);
    expect([...places.keys()].filter((k) => k.includes('.item.')).length).toBeGreaterThanOrEqual(3);
    // The scan can find what it looks for: the decoded histories do hold the timesheets.
    expect([...places.values()].some((text) => text.includes(lines[0]!.employeeName))).toBe(true);
    botLogs.forEach((log, i) => places.set(`bot worker log ${i}`, log));
    places.set('bot worker log (last)', bot.log);
    places.set('orchestration worker log', orchestration.log);
    places.set('api log', api.logs());
    const artifacts = artifactTexts(join(stackEnv().TANDEM_STATE_DIR!, 'artifacts', batchId));
    expect([...artifacts.keys()].some((k) => k.includes('.zip!'))).toBe(true);
    expect([...artifacts.keys()].some((k) => k.endsWith('.png'))).toBe(true);
    for (const [where, text] of artifacts) places.set(where, text);
    expect(leaks(places, secrets)).toEqual([]);
  });
});
