export type TenantId = 'acme-health' | 'globex-insurance' | 'initech';

export interface SeedLogin {
  username: string;
  password: string;
  tenant: TenantId;
  displayName: string;
  /** Bots log in with service accounts; humans share the same screens. */
  kind: 'bot' | 'human';
}

export type EmploymentStatus = 'active' | 'terminated';

export interface SeedEmployee {
  tenant: TenantId;
  employeeId: string;
  name: string;
  costCenter: string;
  hourlyRateCents: number;
  status: EmploymentStatus;
}

/** One employee's hours for a pay period, as the portal's timesheet export shows it. */
export interface TimesheetRow {
  employeeId: string;
  employeeName: string;
  regularHours: number;
  overtimeHours: number;
  bonusCents: number;
  costCenter: string;
  hourlyRateCents: number;
}

export type AdjustmentKind = 'overtime' | 'bonus' | 'correction';

/** One line of the JSONL ledger: the system of record for adjustments and payroll submissions. */
export interface LedgerEntry {
  seq: number;
  tenant: TenantId;
  /** Pay period, `YYYY-MM`. */
  period: string;
  kind: AdjustmentKind | 'submission';
  /** The employee adjusted; null for a payroll submission. */
  employeeId: string | null;
  hours: number;
  /** An adjustment's amount; for a submission, the adjustments total it was submitted with. */
  amountCents: number;
  note: string;
  /** The submitter's own reference: what bots look for before writing again. */
  reference: string;
  confirmation: string;
  /** ISO timestamp. */
  at: string;
}
