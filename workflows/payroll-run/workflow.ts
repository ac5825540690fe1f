// PayrollRun: the nightly payroll of one client for one period. The bot pulls the timesheet
// export; every line that calls for a pay adjustment, or fails validation, becomes an item of a
// batch (operators correct the failing ones while the bot goes on with the rest); a supervisor
// approves the period's totals; then the bot submits the payroll, exactly once.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { botSteps, type BotFailure, type BotOutcome } from '../engine/bot-step';
import { ProcessRun } from '../engine/process-run';
import type { BatchItem } from '../engine/batch-messages';
import { adjustmentsFor, validateTimesheetLine, type TimesheetLine } from './timesheet';
import type { PayrollBotInput, PayrollRunBots } from './bots';
import { PAYROLL_LINE_HANDLER, payrollCredential } from './line-handler';
import {
  approveTotalsForm,
  PAYROLL_SUPERVISORS,
  PAYROLL_TEAM,
  PayrollRunInput,
  payrollStepExceptionForm,
  type PayrollRunOutcome,
} from './schema';

// Reading 2,000 employees' timesheets page by page takes a while; the bot heartbeats each page.
const exportBots = botSteps<PayrollRunBots>({ startToCloseTimeout: '15 minutes' });
const bots = botSteps<PayrollRunBots>();
const RUN_SLA_MS = 8 * 60 * 60 * 1000;

type StepResult<T> = { ok: T } | { stop: PayrollRunOutcome };

/** The lines the batch works: those calling for an adjustment, and those an operator has to fix first. */
export function linesToWork(lines: TimesheetLine[]): BatchItem<TimesheetLine>[] {
  return lines
    .filter((line) => validateTimesheetLine(line).length > 0 || adjustmentsFor(line).length > 0)
    .map((line) => ({ ref: line.employeeId, data: line }));
}

export async function payrollRun(rawInput: PayrollRunInput): Promise<PayrollRunOutcome> {
  const parsed = PayrollRunInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable('Invalid PayrollRun input', 'InvalidInput', parsed.error.issues);
  const input = parsed.data;
  const { client, period } = input;
  const run = new ProcessRun({ process: 'payroll-run', client, businessRef: period, sla: { withinMs: RUN_SLA_MS } });
  const portal: PayrollBotInput = { client, credential: payrollCredential(client), period };

  /** Runs a run-level bot step until it works or a person takes it over. */
  async function step<T>(name: string, attempt: () => Promise<BotOutcome<T>>): Promise<StepResult<T>> {
    for (;;) {
      run.step(name);
      const outcome = await attempt();
      if (outcome.ok) return { ok: outcome.value };
      const resolution = await resolveStep(name, outcome.failure);
      if (resolution) return { stop: resolution };
    }
  }

  async function resolveStep(name: string, failure: BotFailure): Promise<PayrollRunOutcome | undefined> {
    const { decision, decidedBy } = await run.humanTask(payrollStepExceptionForm, {
      title: `${failure.kind === 'business' ? failure.code : 'Bot failed'}: payroll ${period} (${name})`,
      team: PAYROLL_TEAM,
      priority: 1,
      context: { step: name, period, failure },
    });
    const by = decidedBy.operatorId;
    if (decision.action === 'abandon') return { kind: 'abandoned', period, step: name, reason: decision.data.reason, by };
    if (decision.action === 'complete-manually') return { kind: 'completed-manually', period, step: name, confirmation: decision.data.confirmation, by };
    return undefined;
  }

  return run.execute(async (): Promise<PayrollRunOutcome> => {
    // A period already submitted in the portal (an earlier run, or someone by hand) is one clear
    // outcome, not an exception per remaining line. Runs started before this check skip it.
    if (patched('payroll-checks-submitted-first')) {
      const before = await step('check-period', () => run.bot('readPayrollTotals', bots.readPayrollTotals, portal));
      if ('stop' in before) return before.stop;
      if (before.ok.status === 'submitted') return { kind: 'already-submitted', period, totals: before.ok };
    }
    const exported = await step('pull-timesheet', () => run.bot('pullTimesheetExport', exportBots.pullTimesheetExport, portal));
    if ('stop' in exported) return exported.stop;

    run.step('enter-adjustments');
    const batch = await run.itemBatch({ handler: PAYROLL_LINE_HANDLER, batchKey: period, items: linesToWork(exported.ok.lines), concurrency: input.concurrency });

    const totals = await step('read-totals', () => run.bot('readPayrollTotals', bots.readPayrollTotals, portal));
    if ('stop' in totals) return totals.stop;

    run.step('approve-totals');
    const { decision, decidedBy } = await run.humanTask(approveTotalsForm, {
      title: `Approve payroll ${period}: ${totals.ok.adjustments} adjustments, ${(totals.ok.adjustmentsTotalCents / 100).toFixed(2)}`,
      team: PAYROLL_SUPERVISORS,
      priority: 1,
      context: { period, totals: totals.ok, lines: batch.counts, batchId: batch.batchId, linesInExport: exported.ok.lines.length },
    });
    if (decision.action === 'reject') {
      return { kind: 'rejected', period, totals: totals.ok, rejectedBy: decidedBy.operatorId, reason: decision.data.reason, lines: batch.counts };
    }

    const submitted = await step('submit-payroll', () =>
      run.bot('submitPayroll', bots.submitPayroll, {
        ...portal,
        // Stable across re-runs of the period: a second run finds the first one's submission.
        reference: `${period}:submit`,
        expectedAdjustmentsTotalCents: totals.ok.adjustmentsTotalCents,
      }),
    );
    if ('stop' in submitted) return submitted.stop;
    return { kind: 'submitted', period, totals: totals.ok, submission: submitted.ok, approvedBy: decidedBy.operatorId, lines: batch.counts };
  });
}
