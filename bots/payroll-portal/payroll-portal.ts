import type { Page } from 'playwright-core';
import { BusinessException } from '../runtime/business-exception';
import { formatCentsForInput, formatHoursForInput, parseHours, parseOptionalCents, parseSignedCents, readFieldErrors, readRows, readTestIds } from './page-text';
import { PortalSession } from './portal-session';
import type {
  AdjustmentInput,
  AdjustmentKind,
  AdjustmentRecord,
  EmployeeRecord,
  PayrollPortalCredentials,
  PortalTotals,
  ReadTimesheetOptions,
  SubmissionRecord,
  SubmitPayrollOptions,
  TimesheetLineRecord,
  TimesheetRead,
} from './types';

const enc = encodeURIComponent;
const adjustmentsPath = (period: string, employeeId: string): string => `/payroll/${enc(period)}/employees/${enc(employeeId)}/adjustments`;
const payrollPath = (period: string): string => `/payroll/${enc(period)}`;

const LINE_CELLS = ['ts-employee-id', 'ts-employee-name', 'ts-regular-hours', 'ts-overtime-hours', 'ts-bonus', 'ts-cost-center', 'ts-hourly-rate'] as const;
const EMPLOYEE_CELLS = ['employee-id', 'employee-name', 'employee-cost-center', 'employee-rate', 'employee-status'] as const;
const ADJUSTMENT_CELLS = ['adjustment-reference', 'adjustment-kind', 'adjustment-hours', 'adjustment-amount', 'adjustment-note', 'adjustment-confirmation'] as const;
const SUBMISSION_CELLS = ['submission-reference', 'submission-total', 'submission-confirmation'] as const;
const TOTALS = ['totals-employees', 'totals-adjustments', 'totals-adjustments-total', 'totals-gross-total', 'payroll-status'] as const;

/** The portal's refusal markers and the business exception each one is. */
const REFUSALS: ReadonlyArray<[testId: string, code: string]> = [
  ['employee-not-found', 'EmployeeNotFound'],
  ['period-not-found', 'PeriodNotFound'],
  ['employee-inactive', 'EmployeeInactive'],
  ['payroll-locked', 'PayrollLocked'],
  ['totals-changed', 'TotalsChanged'],
];

/**
 * Page object for a client's payroll portal. Business refusals become BusinessException
 * (LoginRefused, PeriodNotFound, EmployeeNotFound, EmployeeInactive, ValidationRefused,
 * PayrollLocked, TotalsChanged); anything else is a plain Error to retry. Writes are made once per
 * call (a "Confirm save" screen gets exactly one more click); looking for an earlier write before
 * calling again is the caller's job (`findAdjustment`, `findSubmission`).
 */
export class PayrollPortal {
  readonly #session: PortalSession;
  readonly #page: Page;

  constructor(page: Page, baseUrl: string) {
    this.#session = new PortalSession(page, baseUrl);
    this.#page = page;
  }

  login(credentials: PayrollPortalCredentials): Promise<void> {
    return this.#session.login(credentials);
  }

  /** Every employee, page after page. */
  async listEmployees(): Promise<EmployeeRecord[]> {
    const employees: EmployeeRecord[] = [];
    await this.#eachPage('/employees?page=1', 1, async () => {
      const rows = await readRows(this.#page, 'employee-row', EMPLOYEE_CELLS);
      employees.push(...rows.map(toEmployee));
    });
    return employees;
  }

  /** The period's timesheet export from `fromPage` on, following the Next links to the last page. */
  async readTimesheet(period: string, options: ReadTimesheetOptions = {}): Promise<TimesheetRead> {
    const fromPage = options.fromPage ?? 1;
    const lines: TimesheetLineRecord[] = [];
    const { pages, rowCount } = await this.#eachPage(`/payroll/${enc(period)}/timesheet?page=${fromPage}`, fromPage, async (pageNo, pageCount) => {
      const pageLines = (await readRows(this.#page, 'timesheet-line', LINE_CELLS)).map(toTimesheetLine);
      lines.push(...pageLines);
      await options.onPage?.(pageNo, pageLines, pageCount);
    }, { period });
    if (fromPage === 1 && lines.length !== rowCount) {
      throw new Error(`payroll portal timesheet ${period} changed while reading: ${lines.length} lines read, ${rowCount} announced`);
    }
    return { lines, pages };
  }

  async findAdjustment(employeeId: string, period: string, reference: string): Promise<AdjustmentRecord | null> {
    await this.#assertPage(await this.#session.open(adjustmentsPath(period, employeeId)), { employeeId, period });
    return this.#adjustmentOnPage(reference);
  }

  /**
   * Saves one adjustment. A "Confirm save" screen gets exactly one more click; a session that died
   * before the save is signed in again and the list checked for our reference before filling again.
   */
  async enterAdjustment(employeeId: string, period: string, input: AdjustmentInput): Promise<AdjustmentRecord> {
    const facts = { employeeId, period, reference: input.reference };
    for (let round = 0; round < 3; round += 1) {
      await this.#assertPage(await this.#session.open(`${adjustmentsPath(period, employeeId)}/new`), facts);
      let status = await this.#fillAdjustment(input);
      if (!this.#session.onLoginPage() && (await this.#session.has('save-pending'))) {
        status = await this.#session.submit(this.#page.getByTestId('save-adjustment'));
        if (await this.#session.has('save-pending')) throw new Error('payroll portal still asks to confirm the save after the second click');
      }
      if (!this.#session.onLoginPage()) return this.#savedAdjustment(status, input, facts);
      // The session died before the save: the portal refused the post before recording anything
      // and, once signed in, shows the employee's adjustments. Ours is not expected there; look anyway.
      await this.#assertPage(await this.#session.signInAgain(), facts);
      const saved = await this.#adjustmentOnPage(input.reference);
      if (saved) return saved;
    }
    throw new Error('payroll portal keeps asking to sign in again');
  }

  async readTotals(period: string): Promise<PortalTotals> {
    await this.#assertPage(await this.#session.open(payrollPath(period)), { period });
    return this.#totalsOnPage();
  }

  async findSubmission(period: string, reference: string): Promise<SubmissionRecord | null> {
    await this.#assertPage(await this.#session.open(payrollPath(period)), { period });
    return this.#submissionOnPage(reference);
  }

  /** Submits the period's payroll once; refused (TotalsChanged) unless the adjustments total is the expected one. */
  async submitPayroll(period: string, options: SubmitPayrollOptions): Promise<SubmissionRecord> {
    const facts = { period, reference: options.reference };
    for (let round = 0; round < 3; round += 1) {
      await this.#assertPage(await this.#session.open(payrollPath(period)), facts);
      if ((await this.#totalsOnPage()).status === 'submitted') {
        throw new BusinessException('PayrollLocked', `Payroll ${period} is already submitted`, facts);
      }
      await this.#page.getByTestId('reference').fill(options.reference);
      await this.#page.getByTestId('expected-total').fill(formatCentsForInput(options.expectedAdjustmentsTotalCents));
      const status = await this.#session.submit(this.#page.getByTestId('submit-payroll'));
      if (!this.#session.onLoginPage()) {
        await this.#assertPage(status, facts);
        const { confirmation } = await readTestIds(this.#page, ['confirmation']);
        if (!confirmation) throw screenChanged('confirmation', confirmation);
        return { reference: options.reference.trim(), adjustmentsTotalCents: options.expectedAdjustmentsTotalCents, confirmation };
      }
      // As for adjustments: nothing was recorded; signed in again we land on the payroll page.
      await this.#assertPage(await this.#session.signInAgain(), facts);
      const submitted = await this.#submissionOnPage(options.reference);
      if (submitted) return submitted;
    }
    throw new Error('payroll portal keeps asking to sign in again');
  }

  async #fillAdjustment(input: AdjustmentInput): Promise<number> {
    const page = this.#page;
    await page.getByTestId('kind').selectOption(input.kind);
    await page.getByTestId('hours').fill(formatHoursForInput(input.hours));
    await page.getByTestId('amount').fill(formatCentsForInput(input.amountCents));
    await page.getByTestId('note').fill(input.note);
    await page.getByTestId('reference').fill(input.reference);
    return this.#session.submit(page.getByTestId('save-adjustment'));
  }

  async #savedAdjustment(status: number, input: AdjustmentInput, facts: Record<string, unknown>): Promise<AdjustmentRecord> {
    await this.#assertPage(status, facts);
    const { confirmation } = await readTestIds(this.#page, ['confirmation']);
    if (!confirmation) throw screenChanged('confirmation', confirmation);
    const { reference, kind, hours, amountCents, note } = input;
    return { reference: reference.trim(), kind, hours, amountCents, note: note.trim(), confirmation };
  }

  /**
   * Reads a paginated table: `onPage` for each page from `firstPage`, following Next links
   * (through `open`, so an expired session is signed in again between pages).
   */
  async #eachPage(
    firstPath: string,
    firstPage: number,
    onPage: (pageNo: number, pages: number) => Promise<void>,
    facts: Record<string, unknown> = {},
  ): Promise<{ pages: number; rowCount: number }> {
    let path: string | null = firstPath;
    for (let expected = firstPage; path !== null; expected += 1) {
      await this.#assertPage(await this.#session.open(path), facts);
      // No named helpers inside evaluate(): tsx compiles them with a `__name` wrapper the page does not have.
      const ids = await readTestIds(this.#page, ['page-number', 'page-count', 'row-count']);
      const next = await this.#page.evaluate(() => document.querySelector('[data-testid="next-page"]')?.getAttribute('href') ?? null);
      const marks = { pageNo: ids['page-number'], pages: ids['page-count'], rowCount: ids['row-count'], next };
      const pageNo = Number(marks.pageNo);
      const pages = Number(marks.pages);
      const rowCount = Number(marks.rowCount);
      if (!Number.isSafeInteger(pages) || !Number.isSafeInteger(rowCount)) throw screenChanged('pagination', `${marks.pages}/${marks.rowCount}`);
      // The portal shows its last page for any page past the end: asked to start there, there is nothing left to read.
      if (expected === firstPage && firstPage > pages && pageNo === pages) return { pages, rowCount };
      if (pageNo !== expected) throw screenChanged('page-number', marks.pageNo);
      await onPage(pageNo, pages);
      path = marks.next;
      if (path === null) return { pages, rowCount };
    }
    throw new Error('unreachable');
  }

  async #adjustmentOnPage(reference: string): Promise<AdjustmentRecord | null> {
    const rows = await readRows(this.#page, 'adjustment', ADJUSTMENT_CELLS);
    const row = rows.find((r) => r['adjustment-reference'] === reference.trim());
    if (!row) return null;
    const kind = row['adjustment-kind'];
    if (kind !== 'overtime' && kind !== 'bonus' && kind !== 'correction') throw screenChanged('adjustment-kind', kind);
    return {
      reference: reference.trim(),
      kind: kind satisfies AdjustmentKind,
      hours: parseHours(row['adjustment-hours']),
      amountCents: parseSignedCents(required(row, 'adjustment-amount')),
      note: row['adjustment-note'] ?? '',
      confirmation: required(row, 'adjustment-confirmation'),
    };
  }

  async #submissionOnPage(reference: string): Promise<SubmissionRecord | null> {
    const rows = await readRows(this.#page, 'submission', SUBMISSION_CELLS);
    const row = rows.find((r) => r['submission-reference'] === reference.trim());
    if (!row) return null;
    return {
      reference: reference.trim(),
      adjustmentsTotalCents: parseSignedCents(required(row, 'submission-total')),
      confirmation: required(row, 'submission-confirmation'),
    };
  }

  async #totalsOnPage(): Promise<PortalTotals> {
    const fields = await readTestIds(this.#page, TOTALS);
    const status = fields['payroll-status'];
    if (status !== 'open' && status !== 'submitted') throw screenChanged('payroll-status', status);
    return {
      employees: wholeNumber(fields, 'totals-employees'),
      adjustments: wholeNumber(fields, 'totals-adjustments'),
      adjustmentsTotalCents: parseSignedCents(required(fields, 'totals-adjustments-total')),
      grossTotalCents: parseSignedCents(required(fields, 'totals-gross-total')),
      status,
    };
  }

  /** 200 goes on; the portal's refusals become business exceptions; anything else is a system fault. */
  async #assertPage(status: number, facts: Record<string, unknown>): Promise<void> {
    if (status === 200) return;
    if (status === 422) {
      const errors = await readFieldErrors(this.#page);
      const summary = Object.entries(errors).map(([field, message]) => `${field}: ${message}`).join('; ');
      throw new BusinessException('ValidationRefused', `Payroll portal refused the entry: ${summary}`, { ...facts, errors });
    }
    for (const [testId, code] of REFUSALS) {
      const message = (await readTestIds(this.#page, [testId]))[testId];
      if (message) throw new BusinessException(code, message, facts);
    }
    throw new Error(`payroll portal answered ${status} on ${new URL(this.#page.url()).pathname}`);
  }
}

function toTimesheetLine(row: Record<(typeof LINE_CELLS)[number], string | null>): TimesheetLineRecord {
  return {
    employeeId: required(row, 'ts-employee-id'),
    employeeName: row['ts-employee-name'] ?? '',
    regularHours: parseHours(row['ts-regular-hours']),
    overtimeHours: parseHours(row['ts-overtime-hours']),
    bonusCents: parseOptionalCents(row['ts-bonus']),
    costCenter: row['ts-cost-center'] ?? '',
    hourlyRateCents: parseSignedCents(required(row, 'ts-hourly-rate')),
  };
}

function toEmployee(row: Record<(typeof EMPLOYEE_CELLS)[number], string | null>): EmployeeRecord {
  const status = row['employee-status'];
  if (status !== 'active' && status !== 'terminated') throw screenChanged('employee-status', status);
  return {
    employeeId: required(row, 'employee-id'),
    name: row['employee-name'] ?? '',
    costCenter: row['employee-cost-center'] ?? '',
    hourlyRateCents: parseSignedCents(required(row, 'employee-rate')),
    status,
  };
}

function wholeNumber<K extends string>(fields: Record<K, string | null>, key: K): number {
  const value = Number(required(fields, key));
  if (!Number.isSafeInteger(value)) throw screenChanged(key, fields[key]);
  return value;
}

function required<K extends string>(fields: Record<K, string | null>, key: K): string {
  const value = fields[key];
  if (value === null || value === '') throw screenChanged(key, value);
  return value;
}

function screenChanged(field: string, value: string | null): Error {
  return new Error(`payroll portal screen changed: unexpected ${field} ${JSON.stringify(value)}`);
}
