// The PayrollPortal page object against the sandbox portal, in real headless Chromium.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PayrollPortal } from '../../bots/payroll-portal/payroll-portal';
import { BrowserPool } from '../../bots/runtime/browser-pool';
import { BusinessException } from '../../bots/runtime/business-exception';
import { DEFAULT_QUIRKS } from '../../sandbox/payroll-portal/quirks';
import { ACME_PAYROLL_BOT, employeesOf, INITECH_PAYROLL_BOT } from '../../sandbox/payroll-portal/seed';
import { Timesheets } from '../../sandbox/payroll-portal/timesheets';
import { sleep, startPayrollPortal, tempDir, type RunningPayrollPortal } from './payroll-harness';

const dir = tempDir('payroll-bot');
const pool = new BrowserPool({ maxContexts: 2 });
let portal: RunningPayrollPortal;

beforeAll(async () => {
  portal = await startPayrollPortal({ ledgerPath: join(dir.path, 'ledger.jsonl') });
});

afterEach(async () => {
  await portal.setQuirks({ ...DEFAULT_QUIRKS });
});

afterAll(async () => {
  await pool.close();
  await portal?.close();
  dir.remove();
});

/** Runs `fn` with a signed-in PayrollPortal in a fresh context. */
function asBot<T>(fn: (payroll: PayrollPortal) => Promise<T>, login: { username: string; password: string } = ACME_PAYROLL_BOT): Promise<T> {
  return pool.withContext(async (page) => {
    const payroll = new PayrollPortal(page, portal.url);
    await payroll.login(login);
    return fn(payroll);
  });
}

async function businessError(promise: Promise<unknown>): Promise<BusinessException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BusinessException);
  return error as BusinessException;
}

const reference = (): string => `tandem-test-${randomUUID()}`;
const bonus = (ref: string, amountCents = 12_500) => ({ kind: 'bonus' as const, hours: 0, amountCents, note: 'Year-end bonus', reference: ref });
const logins = (): number => portal.served().filter((r) => r.method === 'POST' && r.path === '/login').length;
const adjustmentPosts = (employeeId: string): number =>
  portal.served().filter((r) => r.method === 'POST' && r.path.endsWith(`/employees/${employeeId}/adjustments`)).length;

describe('PayrollPortal page object', () => {
  it('reads the 2,000-line export of a large tenant by following 20 pages', async () => {
    const started = performance.now();
    const seen: number[] = [];
    const read = await asBot((payroll) => payroll.readTimesheet('2026-10', { onPage: (pageNo) => void seen.push(pageNo) }), INITECH_PAYROLL_BOT);
    const elapsedMs = Math.round(performance.now() - started);
    console.log(`initech 2026-10 timesheet export: 2,000 lines over 20 pages in ${elapsedMs} ms (sign-in included)`);
    expect(read.pages).toBe(20);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(read.lines).toHaveLength(2_000);
    expect(read.lines).toEqual(new Timesheets().of('initech', '2026-10'));
    expect(portal.timesheetPagesServed('2026-10')).toEqual(seen);
  });

  it('lists every employee across pages and reads a late start page only from there', async () => {
    const { employees, tail } = await asBot(async (payroll) => ({
      employees: await payroll.listEmployees(),
      tail: await payroll.readTimesheet('2026-09', { fromPage: 2 }),
    }));
    expect(employees.map((e) => e.employeeId)).toEqual(employeesOf('acme-health').map((e) => e.employeeId));
    expect(employees.filter((e) => e.status === 'terminated')).toHaveLength(2);
    // Acme's export fits one page: starting at page 2 finds nothing more to read.
    expect(tail).toEqual({ pages: 1, lines: [] });
    expect(portal.timesheetPagesServed('2026-09')).toEqual([2]);
  });

  it('signs in again transparently when the session expires between pages', async () => {
    const before = logins();
    const read = await asBot(
      (payroll) =>
        payroll.readTimesheet('2026-08', {
          fromPage: 15,
          // Page 17 is served with a 1 ms session: it has expired by the time page 18 is asked for.
          async onPage(pageNo) {
            if (pageNo === 16) await portal.setQuirks({ sessionTtlMs: 1 });
            if (pageNo === 17) {
              await sleep(50);
              await portal.setQuirks({ sessionTtlMs: DEFAULT_QUIRKS.sessionTtlMs });
            }
          },
        }),
      INITECH_PAYROLL_BOT,
    );
    expect(read.lines).toEqual(new Timesheets().of('initech', '2026-08').slice(1_400));
    expect(logins() - before).toBe(2);
    // The request for page 18 was sent to /login and back: the only page asked for twice.
    expect(portal.timesheetPagesServed('2026-08')).toEqual([15, 16, 17, 18, 18, 19, 20]);
  });
});

describe('PayrollPortal adjustments', () => {
  it('enters an adjustment once; findAdjustment sees it only afterwards', async () => {
    const ref = reference();
    const { before, record, found } = await asBot(async (payroll) => ({
      before: await payroll.findAdjustment('AC-1002', '2026-11', ref),
      record: await payroll.enterAdjustment('AC-1002', '2026-11', { kind: 'overtime', hours: 4.5, amountCents: 20_250, note: 'Overtime 4.5 h', reference: ref }),
      found: await payroll.findAdjustment('AC-1002', '2026-11', ref),
    }));
    expect(before).toBeNull();
    expect(record).toMatchObject({ reference: ref, kind: 'overtime', hours: 4.5, amountCents: 20_250 });
    expect(record.confirmation).toMatch(/^PAY-\d{6}$/);
    expect(found).toEqual(record);
    expect(await portal.ledger({ reference: ref })).toMatchObject([{ tenant: 'acme-health', employeeId: 'AC-1002', amountCents: 20_250 }]);
  });

  it('clicks Save a second time when the portal asks to confirm, and never a third', async () => {
    await portal.setQuirks({ saveNeedsSecondClickProbability: 1 });
    const refs = [reference(), reference(), reference()];
    const postsBefore = adjustmentPosts('AC-1004');
    const records = await asBot(async (payroll) => {
      const out = [];
      for (const ref of refs) out.push(await payroll.enterAdjustment('AC-1004', '2026-11', bonus(ref)));
      return out;
    });
    expect(adjustmentPosts('AC-1004') - postsBefore).toBe(6);
    for (const [i, ref] of refs.entries()) {
      const entries = await portal.ledger({ reference: ref });
      expect(entries).toHaveLength(1);
      expect(records[i]?.confirmation).toBe(entries[0]?.confirmation);
    }
  });

  it('signs in again when the session dies while the form is open, and saves once', async () => {
    const ref = reference();
    const { record, posts } = await pool.withContext(async (page) => {
      let posts = 0;
      // Hold the first save back until the session is gone: the portal then redirects it to /login.
      await page.route('**/employees/AC-1005/adjustments', async (route) => {
        if (route.request().method() === 'POST') {
          posts += 1;
          if (posts === 1) {
            await sleep(450);
            await portal.setQuirks({ sessionTtlMs: DEFAULT_QUIRKS.sessionTtlMs });
          }
        }
        await route.continue();
      });
      const payroll = new PayrollPortal(page, portal.url);
      await payroll.login(ACME_PAYROLL_BOT);
      await portal.setQuirks({ sessionTtlMs: 300 });
      const record = await payroll.enterAdjustment('AC-1005', '2026-11', bonus(ref));
      return { record, posts };
    });
    expect(posts).toBe(2);
    expect(record.reference).toBe(ref);
    expect(await portal.ledger({ reference: ref })).toHaveLength(1);
  });

  it('reports refusals as business exceptions and records nothing', async () => {
    const ref = reference();
    const terminated = employeesOf('acme-health').find((e) => e.status === 'terminated')?.employeeId ?? '';
    const [inactive, invalid, unknown, period] = await asBot(async (payroll) => [
      await businessError(payroll.enterAdjustment(terminated, '2026-11', { ...bonus(ref), kind: 'overtime', hours: 6 })),
      await businessError(payroll.enterAdjustment('AC-1013', '2026-11', { kind: 'overtime', hours: 72, amountCents: 300_000, note: '', reference: ref })),
      await businessError(payroll.findAdjustment('GX-2001', '2026-11', ref)),
      await businessError(payroll.readTotals('2026-13')),
    ]);
    expect(inactive?.code).toBe('EmployeeInactive');
    expect(inactive?.details).toMatchObject({ employeeId: terminated, period: '2026-11' });
    expect(invalid?.code).toBe('ValidationRefused');
    expect(invalid?.details.errors).toEqual({ hours: expect.stringContaining('at most 60') });
    expect(unknown?.code).toBe('EmployeeNotFound');
    expect(period?.code).toBe('PeriodNotFound');
    expect(await portal.ledger({ reference: ref })).toEqual([]);
  });

  it('reports bad credentials as LoginRefused without echoing them', async () => {
    const error = await businessError(
      pool.withContext((page) => new PayrollPortal(page, portal.url).login({ username: 'acme-payroll-bot', password: 'wrong-password' })),
    );
    expect(error.code).toBe('LoginRefused');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('wrong-password');
  });

  it('turns a 500 into a plain Error that a retry gets past', async () => {
    const { failure, totals } = await asBot(async (payroll) => {
      await portal.setQuirks({ failNextRequests: 1 });
      const failure = await payroll.readTotals('2026-11').catch((e: unknown) => e);
      return { failure, totals: await payroll.readTotals('2026-11') };
    });
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(BusinessException);
    expect((failure as Error).message).toContain('500');
    expect(totals.employees).toBe(60);
  });
});

describe('PayrollPortal payroll submission', () => {
  it('submits with the expected total only, then refuses further adjustments', async () => {
    const period = '2026-07';
    const run = reference();
    const result = await asBot(async (payroll) => {
      await payroll.enterAdjustment('AC-1020', period, bonus(reference(), 10_000));
      await payroll.enterAdjustment('AC-1021', period, { kind: 'correction', hours: 0, amountCents: -2_550, note: 'Overpaid in June', reference: reference() });
      const totals = await payroll.readTotals(period);
      const changed = await businessError(payroll.submitPayroll(period, { reference: run, expectedAdjustmentsTotalCents: 10_000 }));
      const notYet = await payroll.findSubmission(period, run);
      const submission = await payroll.submitPayroll(period, { reference: run, expectedAdjustmentsTotalCents: 7_450 });
      const found = await payroll.findSubmission(period, run);
      const locked = await businessError(payroll.enterAdjustment('AC-1022', period, bonus(reference())));
      const again = await businessError(payroll.submitPayroll(period, { reference: reference(), expectedAdjustmentsTotalCents: 7_450 }));
      return { totals, changed, notYet, submission, found, locked, again, after: await payroll.readTotals(period) };
    });
    expect(result.totals).toMatchObject({ employees: 60, adjustments: 2, adjustmentsTotalCents: 7_450, status: 'open' });
    expect(result.totals.grossTotalCents).toBeGreaterThan(7_450);
    expect(result.changed.code).toBe('TotalsChanged');
    expect(result.notYet).toBeNull();
    expect(result.submission).toEqual({ reference: run, adjustmentsTotalCents: 7_450, confirmation: expect.stringMatching(/^RUN-\d{6}$/) });
    expect(result.found).toEqual(result.submission);
    expect(result.locked.code).toBe('PayrollLocked');
    expect(result.again.code).toBe('PayrollLocked');
    expect(result.after).toEqual({ ...result.totals, status: 'submitted' });
    expect(await portal.ledger({ period, kind: 'submission' })).toHaveLength(1);
  });
});
