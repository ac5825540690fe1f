// The sandbox payroll portal itself, through app.inject(): no browser, no port.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPayrollPortal } from '../../sandbox/payroll-portal/app';
import { ACME_PAYROLL_BOT, BOT_CREDENTIALS, employeesOf, GLOBEX_PAYROLL_BOT, PORTAL_COST_CENTERS, TENANT_IDS } from '../../sandbox/payroll-portal/seed';
import { Timesheets } from '../../sandbox/payroll-portal/timesheets';
import type { LedgerEntry } from '../../sandbox/payroll-portal/types';
import { adjustmentsFor, KNOWN_COST_CENTERS, validateTimesheetLine } from '../../workflows/payroll-run/timesheet';
import { tempDir } from './payroll-harness';

const PERIOD = '2026-11';
let dir: ReturnType<typeof tempDir>;
let app: FastifyInstance;

beforeEach(() => {
  dir = tempDir('payroll-sandbox');
  app = buildPayrollPortal({ ledgerPath: join(dir.path, 'nested', 'payroll-ledger.jsonl') });
});

afterEach(async () => {
  await app.close();
  dir.remove();
});

async function signIn(login: { username: string; password: string } = ACME_PAYROLL_BOT): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { username: login.username, password: login.password, next: '' } });
  expect(response.statusCode).toBe(302);
  const cookie = response.cookies.find((c) => c.name === 'payroll_session');
  expect(cookie?.httpOnly).toBe(true);
  return `payroll_session=${cookie?.value ?? ''}`;
}

const adjustmentUrl = (employeeId: string, period = PERIOD): string => `/payroll/${period}/employees/${employeeId}/adjustments`;

function saveAdjustment(cookie: string, employeeId: string, form: Record<string, string>, period = PERIOD) {
  return app.inject({ method: 'POST', url: adjustmentUrl(employeeId, period), headers: { cookie }, payload: form });
}

const bonus = (reference: string, amount = '150.00'): Record<string, string> => ({ kind: 'bonus', hours: '', amount, note: 'Q4 bonus', reference });

async function ledger(query = ''): Promise<LedgerEntry[]> {
  return (await app.inject({ url: `/__ledger?${query}` })).json<{ entries: LedgerEntry[] }>().entries;
}

describe('payroll portal sandbox: seed', () => {
  it('seeds three tenants, 60, 25 and exactly 2,000 employees, with a bot login each', () => {
    expect(TENANT_IDS.map((t) => employeesOf(t).length)).toEqual([60, 25, 2_000]);
    expect(new Set(employeesOf('initech').map((e) => e.employeeId)).size).toBe(2_000);
    expect(Object.keys(BOT_CREDENTIALS)).toEqual(['acme-health/payroll-portal', 'globex-insurance/payroll-portal', 'initech/payroll-portal']);
    expect(BOT_CREDENTIALS['acme-health/payroll-portal'].username).toBe('acme-payroll-bot');
    expect(new Set(Object.values(BOT_CREDENTIALS).map((c) => c.password)).size).toBe(3);
    expect([...PORTAL_COST_CENTERS]).toEqual([...KNOWN_COST_CENTERS]);
  });

  it('generates the same timesheet for a period every time, with ~15% needing adjustments and ~3% invalid', () => {
    const sheets = new Timesheets();
    for (const tenant of TENANT_IDS) {
      const lines = sheets.of(tenant, PERIOD);
      expect(new Timesheets().of(tenant, PERIOD)).toEqual(lines);
      const invalid = lines.filter((l) => validateTimesheetLine(l).length > 0);
      const adjusted = lines.filter((l) => validateTimesheetLine(l).length === 0 && adjustmentsFor(l).length > 0);
      expect(invalid.length / lines.length, tenant).toBeGreaterThanOrEqual(0.02);
      expect(invalid.length / lines.length, tenant).toBeLessThanOrEqual(0.05);
      expect(adjusted.length / lines.length, tenant).toBeGreaterThanOrEqual(tenant === 'initech' ? 0.12 : 0.05);
      expect(adjusted.length / lines.length, tenant).toBeLessThanOrEqual(tenant === 'initech' ? 0.18 : 0.3);
    }
    const acme = sheets.of('acme-health', PERIOD);
    const problems = acme.flatMap((l) => validateTimesheetLine(l).map((p) => `${l.employeeId}:${p.field}`));
    expect(problems).toEqual(['AC-1013:overtimeHours', 'AC-1038:regularHours']);
    expect(sheets.of('globex-insurance', PERIOD).flatMap((l) => validateTimesheetLine(l).map((p) => p.field))).toEqual(['costCenter']);
    expect(new Set(sheets.of('initech', PERIOD).flatMap((l) => validateTimesheetLine(l).map((p) => p.field)))).toEqual(
      new Set(['overtimeHours', 'regularHours', 'costCenter']),
    );
    expect(sheets.of('acme-health', '2026-12')).not.toEqual(acme);
  });

  it('has a terminated acme employee whose valid line calls for overtime', () => {
    const terminated = employeesOf('acme-health').filter((e) => e.status === 'terminated').map((e) => e.employeeId);
    const line = new Timesheets().of('acme-health', PERIOD).find((l) => l.employeeId === terminated[0]);
    expect(line && validateTimesheetLine(line)).toEqual([]);
    expect(line && adjustmentsFor(line).map((a) => a.kind)).toContain('overtime');
  });
});

describe('payroll portal sandbox: screens', () => {
  it('sends anonymous users to the login page and refuses wrong passwords', async () => {
    const response = await app.inject({ url: `/payroll/${PERIOD}` });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe(`/login?next=%2Fpayroll%2F${PERIOD}`);
    const refused = await app.inject({ method: 'POST', url: '/login', payload: { username: 'acme-payroll-bot', password: 'nope' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('data-testid="login-error"');
    const open = await app.inject({ method: 'POST', url: '/login', payload: { ...ACME_PAYROLL_BOT, next: '//evil.example/x' } });
    expect(open.headers.location).toBe('/employees');
  });

  it('paginates employees by 50 and the timesheet export by 100, keeping tenants apart', async () => {
    const cookie = await signIn(GLOBEX_PAYROLL_BOT);
    const employees = await app.inject({ url: '/employees?page=1', headers: { cookie } });
    expect(employees.body.match(/data-testid="employee-row"/g)).toHaveLength(25);
    expect(employees.body).not.toContain('data-testid="next-page"');
    expect((await app.inject({ url: adjustmentUrl('AC-1002'), headers: { cookie } })).statusCode).toBe(404);

    const initech = await signIn(BOT_CREDENTIALS['initech/payroll-portal']);
    const first = await app.inject({ url: `/payroll/${PERIOD}/timesheet`, headers: { cookie: initech } });
    expect(first.body.match(/data-testid="timesheet-line"/g)).toHaveLength(100);
    expect(first.body).toContain(`href="/payroll/${PERIOD}/timesheet?page=2"`);
    const last = await app.inject({ url: `/payroll/${PERIOD}/timesheet?page=20`, headers: { cookie: initech } });
    expect(last.body).toContain('data-testid="page-count">20<');
    expect(last.body).toContain('data-testid="row-count">2000<');
    expect(last.body).not.toContain('data-testid="next-page"');
    const employeesPage2 = await app.inject({ url: '/employees?page=2', headers: { cookie: initech } });
    expect(employeesPage2.body.match(/data-testid="employee-row"/g)).toHaveLength(50);
    expect((await app.inject({ url: '/payroll/2026-13/timesheet', headers: { cookie: initech } })).body).toContain('period-not-found');
  });

  it('refuses invalid adjustments field by field with 422 and records nothing', async () => {
    const cookie = await signIn();
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ kind: 'tip', hours: '', amount: '1', note: '', reference: 'r' }, ['kind']],
      [{ kind: 'overtime', hours: '72', amount: '100', note: '', reference: 'r' }, ['hours']],
      [{ kind: 'overtime', hours: '4', amount: '-5', note: '', reference: 'r' }, ['amount']],
      [{ kind: 'bonus', hours: '', amount: '10.001', note: '', reference: 'r' }, ['amount']],
      [{ kind: 'correction', hours: '', amount: '-20', note: '', reference: 'r' }, ['note']],
      [{ kind: 'bonus', hours: '', amount: '10', note: '', reference: '' }, ['reference']],
    ];
    for (const [form, fields] of cases) {
      const response = await saveAdjustment(cookie, 'AC-1002', form);
      expect(response.statusCode, JSON.stringify(form)).toBe(422);
      expect([...response.body.matchAll(/data-testid="error-([a-z]+)"/g)].map((m) => m[1]), JSON.stringify(form)).toEqual(fields);
    }
    expect(await ledger()).toEqual([]);
  });

  it('records a negative correction, escapes what it shows, and appends every save even a repeated one', async () => {
    const cookie = await signIn();
    const form = { kind: 'correction', hours: '-2', amount: '-80.50', note: '<b>double</b> paid', reference: 'same-ref' };
    expect((await saveAdjustment(cookie, 'AC-1003', form)).body).toContain('PAY-000001');
    expect((await saveAdjustment(cookie, 'AC-1003', form)).body).toContain('PAY-000002');
    const list = await app.inject({ url: adjustmentUrl('AC-1003'), headers: { cookie } });
    expect(list.body).toContain('data-testid="adjustment-amount">-80.50<');
    expect(list.body).toContain('&lt;b&gt;double&lt;/b&gt; paid');
    expect(await ledger('reference=same-ref')).toHaveLength(2);
    expect((await ledger('kind=correction&tenant=acme-health'))[0]).toMatchObject({ employeeId: 'AC-1003', hours: -2, amountCents: -8_050, period: PERIOD });
  });

  it('with the second-click quirk, the first Save only asks to confirm and records nothing', async () => {
    await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { saveNeedsSecondClickProbability: 1 } });
    const cookie = await signIn();
    const first = await saveAdjustment(cookie, 'AC-1004', bonus('click-twice'));
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('data-testid="save-pending"');
    expect(first.body).toContain('>Confirm save</button>');
    expect(await ledger()).toEqual([]);
    const token = /name="confirmToken" value="([^"]+)"/.exec(first.body)?.[1] ?? '';
    const second = await saveAdjustment(cookie, 'AC-1004', { ...bonus('click-twice'), confirmToken: token });
    expect(second.body).toContain('data-testid="confirmation">PAY-000001<');
    expect(await ledger('reference=click-twice')).toHaveLength(1);
  });

  it('refuses adjustments for terminated and unknown employees', async () => {
    const cookie = await signIn();
    const terminated = employeesOf('acme-health').find((e) => e.status === 'terminated')?.employeeId ?? '';
    for (const response of [
      await app.inject({ url: `${adjustmentUrl(terminated)}/new`, headers: { cookie } }),
      await saveAdjustment(cookie, terminated, bonus('r-terminated')),
    ]) {
      expect(response.statusCode).toBe(409);
      expect(response.body).toContain('data-testid="employee-inactive"');
    }
    expect((await app.inject({ url: adjustmentUrl(terminated), headers: { cookie } })).statusCode).toBe(200);
    expect((await saveAdjustment(cookie, 'AC-9999', bonus('r-unknown'))).body).toContain('data-testid="employee-not-found"');
    expect(await ledger()).toEqual([]);
  });

  it('submits payroll only with the expected adjustments total, then locks adjustments', async () => {
    const cookie = await signIn();
    await saveAdjustment(cookie, 'AC-1002', bonus('b1', '150.00'));
    await saveAdjustment(cookie, 'AC-1010', bonus('b2', '99.99'));
    const payroll = await app.inject({ url: `/payroll/${PERIOD}`, headers: { cookie } });
    expect(payroll.body).toContain('data-testid="totals-adjustments">2<');
    expect(payroll.body).toContain('data-testid="totals-adjustments-total">249.99<');
    expect(payroll.body).toContain('data-testid="payroll-status">open<');
    const submit = (expectedTotal: string, reference = 'run-1') =>
      app.inject({ method: 'POST', url: `/payroll/${PERIOD}/submit`, headers: { cookie }, payload: { reference, expectedTotal } });

    const changed = await submit('150.00');
    expect(changed.statusCode).toBe(409);
    expect(changed.body).toContain('data-testid="totals-changed"');
    expect((await submit('abc')).statusCode).toBe(422);
    const done = await submit('249.99');
    expect(done.statusCode).toBe(200);
    expect(done.body).toMatch(/data-testid="confirmation">RUN-\d{6}</);
    expect((await submit('249.99', 'run-2')).body).toContain('data-testid="payroll-locked"');
    const locked = await saveAdjustment(cookie, 'AC-1002', bonus('b3'));
    expect(locked.statusCode).toBe(409);
    expect(locked.body).toContain('data-testid="payroll-locked"');
    const after = await app.inject({ url: `/payroll/${PERIOD}`, headers: { cookie } });
    expect(after.body).toContain('data-testid="payroll-status">submitted<');
    expect(after.body).not.toContain('data-testid="submit-form"');
    expect(await ledger(`kind=submission&period=${PERIOD}`)).toMatchObject([{ reference: 'run-1', amountCents: 24_999, employeeId: null }]);
    // Another period of the same tenant is still open.
    expect((await saveAdjustment(cookie, 'AC-1002', bonus('b4'), '2026-12')).statusCode).toBe(200);
  });

  it('fails requests on demand or at random, and refuses admin calls from afar', async () => {
    expect((await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { bogus: 1 } })).statusCode).toBe(400);
    await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { failNextRequests: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await app.inject({ url: '/login' })).statusCode);
    expect(statuses).toEqual([500, 500, 200]);
    await app.inject({ method: 'POST', url: '/__admin/quirks', payload: { serverErrorProbability: 0.5 } });
    const random = [];
    for (let i = 0; i < 20; i += 1) random.push((await app.inject({ url: '/login' })).statusCode);
    expect(random).toContain(500);
    expect(random).toContain(200);
    expect((await app.inject({ url: '/__health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/__health', remoteAddress: '10.1.2.3' })).statusCode).toBe(403);
  });
});
