// A payroll period's timesheet lines and the pay adjustments they call for. Pure and
// deterministic: the workflow validates lines and derives adjustments with these, and the bot
// steps return lines of this shape.
import { z } from 'zod';

export const PayPeriod = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A pay period is a month, YYYY-MM, e.g. 2026-11')
  .describe('Pay period (calendar month) in the client’s payroll portal');
export type PayPeriod = z.infer<typeof PayPeriod>;

/**
 * One employee's line of the portal's timesheet export, as read: the values are the client's and
 * may be wrong (negative hours, an unknown cost center), which is what `validateTimesheetLine` is for.
 */
export const TimesheetLine = z
  .object({
    employeeId: z.string().min(1).max(64),
    employeeName: z.string().max(200),
    regularHours: z.number().finite(),
    overtimeHours: z.number().finite(),
    bonusCents: z.number().int().min(0),
    costCenter: z.string().max(64),
    /** The employee's hourly rate, which overtime pay is computed from. */
    hourlyRateCents: z.number().int().min(0),
  })
  .strict();
export type TimesheetLine = z.infer<typeof TimesheetLine>;

export const AdjustmentKind = z.enum(['overtime', 'bonus', 'correction']);
export type AdjustmentKind = z.infer<typeof AdjustmentKind>;

export const PayAdjustment = z
  .object({
    employeeId: z.string().min(1).max(64),
    kind: AdjustmentKind,
    hours: z.number().finite().min(-60).max(60),
    amountCents: z.number().int().min(-5_000_000).max(5_000_000),
    note: z.string().max(500),
  })
  .strict();
export type PayAdjustment = z.infer<typeof PayAdjustment>;

/** The cost centers the client's payroll accepts; a line naming another one is corrected by an operator. */
export const KNOWN_COST_CENTERS: readonly string[] = ['OPS-100', 'CLIN-200', 'ADM-300', 'SALES-400', 'IT-500'];
export const MAX_REGULAR_HOURS = 200;
export const MAX_OVERTIME_HOURS = 60;
/** Overtime is paid at time and a half. */
export const OVERTIME_PREMIUM_PERCENT = 150;

export interface LineProblem {
  field: keyof TimesheetLine;
  message: string;
}

/** What is wrong with a line, field by field; empty when it can be paid as it is. */
export function validateTimesheetLine(line: TimesheetLine): LineProblem[] {
  const problems: LineProblem[] = [];
  if (line.regularHours < 0) problems.push({ field: 'regularHours', message: 'Regular hours cannot be negative.' });
  else if (line.regularHours > MAX_REGULAR_HOURS) problems.push({ field: 'regularHours', message: `Regular hours above ${MAX_REGULAR_HOURS} in a month are not plausible.` });
  if (line.overtimeHours < 0) problems.push({ field: 'overtimeHours', message: 'Overtime hours cannot be negative.' });
  else if (line.overtimeHours > MAX_OVERTIME_HOURS) problems.push({ field: 'overtimeHours', message: `Overtime is capped at ${MAX_OVERTIME_HOURS} hours a month.` });
  if (!KNOWN_COST_CENTERS.includes(line.costCenter)) problems.push({ field: 'costCenter', message: `Unknown cost center ${line.costCenter}.` });
  return problems;
}

/** Overtime pay in cents: hours × rate × 1.5, in integer arithmetic, rounded half up to the cent. */
export function overtimePayCents(overtimeHours: number, hourlyRateCents: number): number {
  const hundredthsOfHours = Math.round(overtimeHours * 100);
  return Math.round((hundredthsOfHours * hourlyRateCents * OVERTIME_PREMIUM_PERCENT) / 10_000);
}

/** The adjustments a (valid) line calls for: overtime pay and a bonus, each when present. */
export function adjustmentsFor(line: TimesheetLine, hourlyRateCents: number = line.hourlyRateCents): PayAdjustment[] {
  const adjustments: PayAdjustment[] = [];
  if (line.overtimeHours > 0) {
    adjustments.push({
      employeeId: line.employeeId,
      kind: 'overtime',
      hours: line.overtimeHours,
      amountCents: overtimePayCents(line.overtimeHours, hourlyRateCents),
      note: `Overtime ${line.overtimeHours} h at 1.5 × ${(hourlyRateCents / 100).toFixed(2)}`,
    });
  }
  if (line.bonusCents > 0) {
    adjustments.push({ employeeId: line.employeeId, kind: 'bonus', hours: 0, amountCents: line.bonusCents, note: 'Bonus from the timesheet export' });
  }
  return adjustments;
}
