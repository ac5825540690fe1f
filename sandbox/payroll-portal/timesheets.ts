import { seededRandom } from '../shared/quirks';
import { employeesOf } from './seed';
import type { SeedEmployee, TenantId, TimesheetRow } from './types';

/** Pay periods are calendar months: `2026-11`. */
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** What a clerk mistyped into the time system: the lines an operator has to correct. */
type Mistake = 'overtime-too-high' | 'negative-hours' | 'unknown-cost-center';

// Fixed positions, so every period of a tenant has the same few bad lines (about 3% of each tenant).
const MISTAKES: Record<TenantId, (position: number) => Mistake | undefined> = {
  'acme-health': (i) => (i === 12 ? 'overtime-too-high' : i === 37 ? 'negative-hours' : undefined),
  'globex-insurance': (i) => (i === 9 ? 'unknown-cost-center' : undefined),
  initech: (i) => (i % 33 === 16 ? (['overtime-too-high', 'negative-hours', 'unknown-cost-center'] as const)[Math.floor(i / 33) % 3] : undefined),
};

// Acme's first terminated employee always has overtime: entering it is refused (EmployeeInactive).
const FORCED_OVERTIME: Partial<Record<TenantId, { position: number; hours: number }>> = {
  'acme-health': { position: 5, hours: 6 },
};

const REGULAR_HOURS = [160, 160, 160, 160, 152, 168, 144, 120] as const;

/** FNV-1a: a stable 32-bit seed per tenant and period. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function applyMistake(row: TimesheetRow, mistake: Mistake | undefined): TimesheetRow {
  switch (mistake) {
    case 'overtime-too-high':
      return { ...row, overtimeHours: 72 };
    case 'negative-hours':
      return { ...row, regularHours: -8 };
    case 'unknown-cost-center':
      return { ...row, costCenter: 'XX-999' };
    default:
      return row;
  }
}

function rowFor(tenant: TenantId, employee: SeedEmployee, position: number, random: () => number): TimesheetRow {
  // Every draw happens for every employee, so one line's data never depends on another's branch.
  const regularHours = REGULAR_HOURS[Math.floor(random() * REGULAR_HOURS.length)] ?? 160;
  const hasOvertime = random() < 0.1;
  const overtimeHours = (1 + Math.floor(random() * 32)) * 0.5;
  const hasBonus = random() < 0.06;
  const bonusCents = (2 + Math.floor(random() * 19)) * 2_500;
  const forced = FORCED_OVERTIME[tenant];
  const row: TimesheetRow = {
    employeeId: employee.employeeId,
    employeeName: employee.name,
    regularHours,
    overtimeHours: forced?.position === position ? forced.hours : hasOvertime ? overtimeHours : 0,
    bonusCents: hasBonus ? bonusCents : 0,
    costCenter: employee.costCenter,
    hourlyRateCents: employee.hourlyRateCents,
  };
  return applyMistake(row, MISTAKES[tenant](position));
}

/** The timesheet lines of a tenant's pay period: generated once per period, the same every time. */
export class Timesheets {
  readonly #cache = new Map<string, readonly TimesheetRow[]>();

  of(tenant: TenantId, period: string): readonly TimesheetRow[] {
    const key = `${tenant}:${period}`;
    let rows = this.#cache.get(key);
    if (!rows) {
      const random = seededRandom(hashOf(key));
      rows = employeesOf(tenant).map((employee, position) => rowFor(tenant, employee, position, random));
      if (this.#cache.size >= 64) this.#cache.clear();
      this.#cache.set(key, rows);
    }
    return rows;
  }
}
