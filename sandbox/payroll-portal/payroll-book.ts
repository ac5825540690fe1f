import type { PayrollLedger } from './ledger';
import { regularPayCents } from './money';
import { employeesOf } from './seed';
import type { Timesheets } from './timesheets';
import type { LedgerEntry, SeedEmployee, TenantId, TimesheetRow } from './types';

export const EMPLOYEES_PAGE_SIZE = 50;
export const TIMESHEET_PAGE_SIZE = 100;

export interface Paged<T> {
  rows: T[];
  page: number;
  pages: number;
  total: number;
}

export interface PayrollTotals {
  employees: number;
  adjustments: number;
  adjustmentsTotalCents: number;
  grossTotalCents: number;
  status: 'open' | 'submitted';
}

function paginate<T>(items: readonly T[], page: number, size: number): Paged<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, page), pages);
  return { rows: items.slice((current - 1) * size, current * size), page: current, pages, total: items.length };
}

/**
 * What a tenant's payroll clerk sees. Employees and timesheets are the immutable seed; adjustments
 * and submissions come from the ledger, so a restart brings back exactly what was recorded.
 */
export class PayrollBook {
  constructor(
    private readonly ledger: PayrollLedger,
    private readonly timesheets: Timesheets,
  ) {}

  employeesPage(tenant: TenantId, page: number): Paged<SeedEmployee> {
    return paginate(employeesOf(tenant), page, EMPLOYEES_PAGE_SIZE);
  }

  employee(tenant: TenantId, employeeId: string): SeedEmployee | undefined {
    return employeesOf(tenant).find((e) => e.employeeId === employeeId);
  }

  timesheetPage(tenant: TenantId, period: string, page: number): Paged<TimesheetRow> {
    return paginate(this.timesheets.of(tenant, period), page, TIMESHEET_PAGE_SIZE);
  }

  adjustments(tenant: TenantId, period: string, employeeId: string): LedgerEntry[] {
    return this.ledger.visibleFor(tenant, period).filter((e) => e.kind !== 'submission' && e.employeeId === employeeId);
  }

  submissions(tenant: TenantId, period: string): LedgerEntry[] {
    return this.ledger.visibleFor(tenant, period).filter((e) => e.kind === 'submission');
  }

  isSubmitted(tenant: TenantId, period: string): boolean {
    return this.submissions(tenant, period).length > 0;
  }

  totals(tenant: TenantId, period: string): PayrollTotals {
    const rows = this.timesheets.of(tenant, period);
    const entries = this.ledger.visibleFor(tenant, period);
    const adjustments = entries.filter((e) => e.kind !== 'submission');
    const adjustmentsTotalCents = adjustments.reduce((sum, e) => sum + e.amountCents, 0);
    const regular = rows.reduce((sum, r) => sum + regularPayCents(r.regularHours, r.hourlyRateCents), 0);
    return {
      employees: rows.length,
      adjustments: adjustments.length,
      adjustmentsTotalCents,
      grossTotalCents: regular + adjustmentsTotalCents,
      status: entries.some((e) => e.kind === 'submission') ? 'submitted' : 'open',
    };
  }
}
