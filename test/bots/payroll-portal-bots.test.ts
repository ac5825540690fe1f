// PayrollRun's bot activities, through defineBotActivity in a mocked activity context (heartbeats,
// retries with the last heartbeat, cancellation), against the sandbox portal in real Chromium.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../activities/artifacts';
import type { BotRuntime } from '../../activities/bots/bot-activity';
import { StaticClientApps } from '../../activities/bots/client-apps';
import { BrowserPool } from '../../bots/runtime/browser-pool';
import { DEFAULT_QUIRKS } from '../../sandbox/payroll-portal/quirks';
import { BOT_CREDENTIALS, employeesOf } from '../../sandbox/payroll-portal/seed';
import { Timesheets } from '../../sandbox/payroll-portal/timesheets';
import { createPayrollRunBots } from '../../workflows/payroll-run/bot-steps';
import type { EnterAdjustmentInput, PayrollBotInput } from '../../workflows/payroll-run/bots';
import { adjustmentsFor, validateTimesheetLine } from '../../workflows/payroll-run/timesheet';
import { sleep, startPayrollPortal, tempDir, type RunningPayrollPortal } from './payroll-harness';

const dir = tempDir('payroll-bots');
const pool = new BrowserPool({ maxContexts: 2 });
let portal: RunningPayrollPortal;
let bots: ReturnType<typeof createPayrollRunBots>;

beforeAll(async () => {
  portal = await startPayrollPortal({ ledgerPath: join(dir.path, 'ledger.jsonl') });
  const runtime: BotRuntime = {
    pool,
    credentials: {
      async resolve(name) {
        const credential = BOT_CREDENTIALS[name as keyof typeof BOT_CREDENTIALS];
        if (!credential) throw new Error(`no credential ${name}`);
        return { ...credential };
      },
    },
    artifacts: new ArtifactStore(join(dir.path, 'artifacts')),
    apps: new StaticClientApps({ 'payroll-portal': portal.url }),
    heartbeatEveryMs: 20,
  };
  bots = createPayrollRunBots(runtime);
});

afterEach(async () => {
  await portal.setQuirks({ ...DEFAULT_QUIRKS });
});

afterAll(async () => {
  await pool.close();
  await portal?.close();
  dir.remove();
});

/** An activity attempt as Temporal would run it: `heartbeatDetails` is what the last attempt reported. */
function attempt(activityType: string, attemptNo = 1, heartbeatDetails?: unknown): MockActivityEnvironment {
  const info: Partial<Info> = {
    activityType,
    attempt: attemptNo,
    heartbeatDetails,
    heartbeatTimeoutMs: 10_000,
    startToCloseTimeoutMs: 120_000,
    scheduleToCloseTimeoutMs: 0,
    workflowExecution: { workflowId: 'payroll-run-test', runId: 'run-1' },
  };
  return new MockActivityEnvironment(info);
}

/** Runs one activity attempt; typed by the activity (MockActivityEnvironment.run infers no result type). */
function run<I, O>(env: MockActivityEnvironment, activity: (input: I) => Promise<O>, input: I): Promise<O> {
  return env.run(activity, input) as Promise<O>;
}

/** Waits for an attempt to end in failure, whatever the failure (a cancelled attempt ends in CancelledFailure). */
async function abandoned(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(Error);
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const codeOf = (failure: ApplicationFailure): unknown => (failure.details?.[0] as { code?: string } | undefined)?.code;
const acme = (period: string): PayrollBotInput => ({ client: 'acme-health', credential: 'acme-health/payroll-portal', period });

describe('pullTimesheetExport', () => {
  it('resumes from the last heartbeated page: a retry never fetches the pages already read', async () => {
    const period = '2026-06';
    const input = { client: 'initech', credential: 'initech/payroll-portal', period };
    const first = attempt('pullTimesheetExport');
    let last: { nextPage: number; lines: unknown[] } | undefined;
    first.on('heartbeat', (details: { nextPage?: number; lines?: unknown[] } | undefined) => {
      if (details?.nextPage === undefined || details.lines === undefined) return;
      last = { ...details, nextPage: details.nextPage, lines: details.lines };
      // The worker dies after page 6: cancellation closes the browser context mid-export.
      if (details.nextPage >= 7) first.cancel();
    });
    await abandoned(run(first, bots.pullTimesheetExport, input));
    expect(last?.nextPage).toBeGreaterThanOrEqual(7);
    expect(last?.lines).toHaveLength(((last?.nextPage ?? 1) - 1) * 100);
    const servedByFirst = portal.timesheetPagesServed(period).length;

    const retry = attempt('pullTimesheetExport', 2, JSON.parse(JSON.stringify(last)));
    const result = await run(retry, bots.pullTimesheetExport, input);
    expect(result.pages).toBe(20);
    expect(result.lines).toEqual(new Timesheets().of('initech', period));
    const resumeAt = last?.nextPage ?? 1;
    expect(portal.timesheetPagesServed(period).slice(servedByFirst)).toEqual(Array.from({ length: 21 - resumeAt }, (_, i) => resumeAt + i));
  });

  it('returns a finished export from the heartbeat without opening the portal, and ignores another period\'s', async () => {
    const lines = new Timesheets().of('acme-health', '2026-03');
    const done = { period: '2026-03', nextPage: 2, pages: 1, lines };
    const servedBefore = portal.served().length;
    expect(await run(attempt('pullTimesheetExport', 3, done), bots.pullTimesheetExport, acme('2026-03'))).toEqual({ period: '2026-03', pages: 1, lines });
    expect(portal.served().length).toBe(servedBefore);

    const other = await run(attempt('pullTimesheetExport', 2, { ...done, period: '2026-02' }), bots.pullTimesheetExport, acme('2026-03'));
    expect(other.lines).toEqual(lines);
    expect(portal.timesheetPagesServed('2026-03')).toEqual([1]);
  });
});

describe('enterAdjustment and submitPayroll', () => {
  it('does not write twice when the first attempt\'s save landed but its answer was lost', async () => {
    const reference = `payroll-run-test:${randomUUID()}:adjust:AC-1030`;
    const input: EnterAdjustmentInput = {
      ...acme('2026-05'),
      reference,
      adjustment: { employeeId: 'AC-1030', kind: 'bonus', hours: 0, amountCents: 5_000, note: 'Spot bonus' },
    };
    await portal.setQuirks({ submitResponseDelayMs: 5_000 });
    const first = attempt('enterAdjustment');
    const lost = abandoned(run(first, bots.enterAdjustment, input));
    let entries = await portal.ledger({ reference });
    for (const started = Date.now(); entries.length === 0 && Date.now() - started < 20_000; entries = await portal.ledger({ reference })) await sleep(25);
    expect(entries).toHaveLength(1);
    first.cancel(); // the attempt is abandoned before the confirmation arrives
    await lost;
    await portal.setQuirks({ submitResponseDelayMs: 0 });

    const receipt = await run(attempt('enterAdjustment', 2), bots.enterAdjustment, input);
    expect(receipt).toEqual({ reference, confirmation: entries[0]?.confirmation, entered: false });
    expect(await portal.ledger({ reference })).toHaveLength(1);
  });

  it('pays a period once: each adjustment and the submission exactly once, refusals as business failures', async () => {
    const period = '2026-04';
    await portal.setQuirks({ saveNeedsSecondClickProbability: 0.5 });
    const exported = await run(attempt('pullTimesheetExport'), bots.pullTimesheetExport, acme(period));
    const terminated = new Set(employeesOf('acme-health').filter((e) => e.status !== 'active').map((e) => e.employeeId));
    const payable = exported.lines.filter((l) => validateTimesheetLine(l).length === 0);
    expect(exported.lines.length - payable.length).toBe(2);

    const runRef = `payroll-run-test:${randomUUID()}`;
    const refused: unknown[] = [];
    let expectedTotal = 0;
    // The terminated employee's overtime and, to keep the test short, two others.
    const adjustments = payable.flatMap((line) => adjustmentsFor(line));
    const chosen = [...adjustments.filter((a) => terminated.has(a.employeeId)), ...adjustments.filter((a) => !terminated.has(a.employeeId)).slice(0, 2)];
    expect(chosen).toHaveLength(3);
    for (const adjustment of chosen) {
      const input = { ...acme(period), adjustment, reference: `${runRef}:${adjustment.employeeId}:${adjustment.kind}` };
      if (terminated.has(adjustment.employeeId)) {
        const failure = await failureOf(run(attempt('enterAdjustment'), bots.enterAdjustment, input));
        expect(failure.nonRetryable).toBe(true);
        refused.push(codeOf(failure));
        continue;
      }
      const receipt = await run(attempt('enterAdjustment'), bots.enterAdjustment, input);
      expect(receipt.entered).toBe(true);
      expectedTotal += adjustment.amountCents;
    }
    expect(refused).toContain('EmployeeInactive');

    const totals = await run(attempt('readPayrollTotals'), bots.readPayrollTotals, acme(period));
    expect(totals).toMatchObject({ period, employees: 60, adjustmentsTotalCents: expectedTotal, status: 'open' });
    const submit = { ...acme(period), reference: `${runRef}:submit`, expectedAdjustmentsTotalCents: expectedTotal };
    const submission = await run(attempt('submitPayroll'), bots.submitPayroll, submit);
    expect(submission).toMatchObject({ reference: submit.reference, submitted: true });
    expect(await run(attempt('submitPayroll', 2), bots.submitPayroll, submit)).toEqual({ ...submission, submitted: false });

    const late = { ...acme(period), reference: `${runRef}:late`, adjustment: { employeeId: 'AC-1002', kind: 'bonus' as const, hours: 0, amountCents: 100, note: '' } };
    expect(codeOf(await failureOf(run(attempt('enterAdjustment'), bots.enterAdjustment, late)))).toBe('PayrollLocked');
    const entries = await portal.ledger({ tenant: 'acme-health', period });
    expect(entries.map((e) => e.reference).sort()).toEqual([...new Set(entries.map((e) => e.reference))].sort());
    expect(entries.filter((e) => e.kind === 'submission')).toHaveLength(1);
    expect(entries.filter((e) => e.kind !== 'submission').reduce((sum, e) => sum + e.amountCents, 0)).toBe(expectedTotal);
  });

  it('fails a 500 as a retryable system fault, and refuses a wrong expected total as TotalsChanged', async () => {
    await portal.setQuirks({ failNextRequests: 1 });
    const crashed = await failureOf(run(attempt('readPayrollTotals'), bots.readPayrollTotals, acme('2026-01')));
    expect(crashed.nonRetryable).toBe(false);
    expect(crashed.message).toContain('500');
    const totals = await run(attempt('readPayrollTotals', 2), bots.readPayrollTotals, acme('2026-01'));
    const wrong = { ...acme('2026-01'), reference: `payroll-run-test:${randomUUID()}`, expectedAdjustmentsTotalCents: totals.adjustmentsTotalCents + 1 };
    const refused = await failureOf(run(attempt('submitPayroll'), bots.submitPayroll, wrong));
    expect([refused.nonRetryable, codeOf(refused)]).toEqual([true, 'TotalsChanged']);
  });
});
