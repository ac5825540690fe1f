// The bot steps PayrollRun uses, as the workflow sees them. Their Playwright implementations live
// in bot-steps.ts and run only on the bot worker.
import type { PayAdjustment, TimesheetLine } from './timesheet';

export interface PayrollBotInput {
  client: string;
  /** Name of the login in the credential store; the workflow never holds the secret itself. */
  credential: string;
  /** Pay period, `YYYY-MM`. */
  period: string;
}

export interface TimesheetExport {
  period: string;
  lines: TimesheetLine[];
  /** How many pages the portal's export spanned. */
  pages: number;
}

export interface EnterAdjustmentInput extends PayrollBotInput {
  adjustment: PayAdjustment;
  /** Idempotency reference: the bot looks for it in the portal before saving. */
  reference: string;
}

export interface AdjustmentReceipt {
  reference: string;
  /** The portal's confirmation number, e.g. `PAY-000123`. */
  confirmation: string;
  /** False when the adjustment was found already there (an earlier attempt saved it). */
  entered: boolean;
}

export interface PayrollTotals {
  period: string;
  employees: number;
  adjustments: number;
  adjustmentsTotalCents: number;
  grossTotalCents: number;
  status: 'open' | 'submitted';
}

export interface SubmitPayrollInput extends PayrollBotInput {
  /** Idempotency reference: the bot looks for it among the period's submissions before submitting. */
  reference: string;
  /** The portal refuses the submission (TotalsChanged) unless its adjustments total is this. */
  expectedAdjustmentsTotalCents: number;
}

export interface PayrollSubmission {
  reference: string;
  confirmation: string;
  /** False when the submission was found already there. */
  submitted: boolean;
}

export interface PayrollRunBots {
  pullTimesheetExport(input: PayrollBotInput): Promise<TimesheetExport>;
  enterAdjustment(input: EnterAdjustmentInput): Promise<AdjustmentReceipt>;
  readPayrollTotals(input: PayrollBotInput): Promise<PayrollTotals>;
  submitPayroll(input: SubmitPayrollInput): Promise<PayrollSubmission>;
}
