export interface PayrollPortalCredentials {
  username: string;
  password: string;
}

export type EmploymentStatus = 'active' | 'terminated';

export interface EmployeeRecord {
  employeeId: string;
  name: string;
  costCenter: string;
  hourlyRateCents: number;
  status: EmploymentStatus;
}

/** One line of the timesheet export, as the portal shows it (right or wrong). */
export interface TimesheetLineRecord {
  employeeId: string;
  employeeName: string;
  regularHours: number;
  overtimeHours: number;
  bonusCents: number;
  costCenter: string;
  hourlyRateCents: number;
}

export interface ReadTimesheetOptions {
  /** First page to read (1-based); earlier pages are skipped. Default 1. */
  fromPage?: number;
  /** Called after each page is read, before the next is requested: where progress is recorded. */
  onPage?(pageNo: number, lines: TimesheetLineRecord[], pages: number): void | Promise<void>;
}

export interface TimesheetRead {
  /** The lines of the pages read (from `fromPage` on). */
  lines: TimesheetLineRecord[];
  /** How many pages the export has in all. */
  pages: number;
}

export type AdjustmentKind = 'overtime' | 'bonus' | 'correction';

export interface AdjustmentInput {
  kind: AdjustmentKind;
  hours: number;
  /** Negative only for a correction. */
  amountCents: number;
  note: string;
  /** Our own idempotency reference, written into the portal's "your reference" field. */
  reference: string;
}

export interface AdjustmentRecord {
  reference: string;
  kind: AdjustmentKind;
  hours: number;
  amountCents: number;
  note: string;
  /** The portal's confirmation number, e.g. `PAY-000123`. */
  confirmation: string;
}

export interface PortalTotals {
  employees: number;
  adjustments: number;
  adjustmentsTotalCents: number;
  grossTotalCents: number;
  status: 'open' | 'submitted';
}

export interface SubmitPayrollOptions {
  reference: string;
  expectedAdjustmentsTotalCents: number;
}

export interface SubmissionRecord {
  reference: string;
  /** The adjustments total the payroll was submitted with. */
  adjustmentsTotalCents: number;
  /** The portal's confirmation number, e.g. `RUN-000042`. */
  confirmation: string;
}
