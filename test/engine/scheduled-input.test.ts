// A scheduled run's input from its fire time: PayrollRun works the pay period that closed before
// the fire, read in the schedule's time zone, so the same instant is one month in one zone and the
// next in another; the year turns in January; the run gets what a direct start with it would.
import { describe, expect, it } from 'vitest';
import { scheduledInput } from '../../workflows/engine/scheduled-input';
import { payrollRunProcess } from '../../workflows/payroll-run/definition';
import { periodClosedBefore } from '../../workflows/payroll-run/schedule';
import { claimReviewProcess } from '../../workflows/claim-review/definition';

const at = (iso: string) => new Date(iso);
const payrollAt = (fixed: unknown, iso: string, timeZone: string) => scheduledInput(payrollRunProcess, fixed, at(iso), { timeZone });

describe('PayrollRun’s period from the fire time', () => {
  it.each([
    // 02:00 on 1 December in New York is 07:00 UTC: November has closed there.
    ['2026-12-01T07:00:00Z', 'America/New_York', '2026-11'],
    // 02:00 UTC on 1 December is 11:00 that day in Tokyo: November too.
    ['2026-12-01T02:00:00Z', 'Asia/Tokyo', '2026-11'],
    // 23:30 on 30 November in New York is already December in UTC: only October has closed there.
    ['2026-12-01T04:30:00Z', 'America/New_York', '2026-10'],
    ['2026-12-01T04:30:00Z', 'UTC', '2026-11'],
    // 15:30 UTC on 30 November is 00:30 on 1 December in Tokyo: November has closed there, not in UTC.
    ['2026-11-30T15:30:00Z', 'Asia/Tokyo', '2026-11'],
    ['2026-11-30T15:30:00Z', 'UTC', '2026-10'],
    // The year turns: January's fire works the previous December.
    ['2027-01-01T07:00:00Z', 'America/New_York', '2026-12'],
    ['2026-12-31T23:59:59Z', 'Pacific/Kiritimati', '2026-12'],
    ['2027-01-01T00:00:00Z', 'Pacific/Pago_Pago', '2026-11'],
    // Across a DST change (New York leaves DST on 1 November 2026).
    ['2026-11-01T06:30:00Z', 'America/New_York', '2026-10'],
    ['2026-11-01T03:59:00Z', 'America/New_York', '2026-09'],
  ])('a fire at %s in %s works %s', (iso, zone, period) => {
    expect(periodClosedBefore(at(iso), zone)).toBe(period);
    expect(payrollAt({ client: 'acme-health' }, iso, zone)).toEqual({ ok: true, input: { client: 'acme-health', period } });
  });

  it('keeps the fixed options and gives the same input shape as a direct start', () => {
    const computed = payrollAt({ client: 'globex-insurance', concurrency: 2 }, '2026-03-01T05:00:00Z', 'Europe/London');
    expect(computed).toEqual({ ok: true, input: { client: 'globex-insurance', period: '2026-02', concurrency: 2 } });
    expect(payrollRunProcess.input.parse({ client: 'globex-insurance', period: '2026-02', concurrency: 2 })).toEqual(computed.ok && computed.input);
  });

  it('refuses a fixed part holding what the fire time decides, or a bad option, naming the field', () => {
    const withPeriod = payrollAt({ client: 'acme-health', period: '2026-11' }, '2026-12-01T07:00:00Z', 'UTC');
    expect(withPeriod.ok).toBe(false);
    expect(!withPeriod.ok && withPeriod.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['period'] })]);
    const badOption = payrollAt({ client: 'acme-health', concurrency: 0 }, '2026-12-01T07:00:00Z', 'UTC');
    expect(!badOption.ok && badOption.issues.map((i) => i.path)).toEqual([['concurrency']]);
  });

  it('only a process with a schedule rule takes its input from the fire time', () => {
    expect(claimReviewProcess.schedule).toBeUndefined();
    expect(scheduledInput(claimReviewProcess, { client: 'acme-health' }, at('2026-12-01T00:00:00Z'), { timeZone: 'UTC' })).toMatchObject({ ok: false });
  });
});
