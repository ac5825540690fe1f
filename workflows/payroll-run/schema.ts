// PayrollRun's types, defined once: the API validates starts with PayrollRunInput, the workflow
// re-checks it, the task forms drive the Update validators and the inbox's rendered forms.
import { z } from 'zod';
import { ClientId } from '../engine/common-schemas';
import { defineTaskForm } from '../engine/task-form';
import { itemExceptionForm } from '../engine/item-batch';
import { PayPeriod, TimesheetLine } from './timesheet';
import type { PayrollSubmission, PayrollTotals } from './bots';
import type { BatchSummary } from '../engine/item-batch-workflow';

export const PayrollRunInput = z
  .object({
    client: ClientId,
    period: PayPeriod,
    concurrency: z.number().int().min(1).max(32).optional().describe('Timesheet lines worked at once; default 4 (the portal login’s session cap applies as well)'),
  })
  .strict();
export type PayrollRunInput = z.infer<typeof PayrollRunInput>;

/** Operators who correct timesheet lines and resolve the bot's failures. */
export const PAYROLL_TEAM = 'payroll-ops';
/** Supervisors who approve a period's totals before the bot submits the payroll. */
export const PAYROLL_SUPERVISORS = 'payroll-supervisors';

const Reason = z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500);

/** A timesheet line that failed validation or that the portal refused: fix it (the corrected line), skip it, … */
export const timesheetLineExceptionForm = itemExceptionForm('payroll-run.line-exception', 'Resolve a timesheet line', TimesheetLine);

export const approveTotalsForm = defineTaskForm({
  kind: 'payroll-run.approve-totals',
  title: 'Approve payroll totals',
  decision: z.discriminatedUnion('action', [
    z.object({ action: z.literal('approve'), data: z.object({ note: z.string().trim().max(500).optional() }).strict() }),
    z.object({ action: z.literal('reject'), data: z.object({ reason: Reason }).strict() }),
  ]),
});

/** A run-level bot step (export, totals, submission) that failed for good. */
export const payrollStepExceptionForm = defineTaskForm({
  kind: 'payroll-run.step-exception',
  title: 'Resolve a payroll bot failure',
  decision: z.discriminatedUnion('action', [
    z.object({ action: z.literal('retry'), data: z.object({ note: z.string().max(500).optional() }).strict() }),
    z.object({
      action: z.literal('complete-manually'),
      data: z.object({ confirmation: z.string().trim().min(1).max(64).describe('What the portal answered when you did it by hand'), note: z.string().max(500).optional() }).strict(),
    }),
    z.object({ action: z.literal('abandon'), data: z.object({ reason: Reason }).strict() }),
  ]),
});

export type PayrollRunOutcome =
  | { kind: 'submitted'; period: string; totals: PayrollTotals; submission: PayrollSubmission; approvedBy: string; lines: BatchSummary['counts'] }
  | { kind: 'rejected'; period: string; totals: PayrollTotals; rejectedBy: string; reason: string; lines: BatchSummary['counts'] }
  | { kind: 'already-submitted'; period: string; totals: PayrollTotals }
  | { kind: 'abandoned'; period: string; step: string; reason: string; by: string }
  | { kind: 'completed-manually'; period: string; step: string; confirmation: string; by: string };
