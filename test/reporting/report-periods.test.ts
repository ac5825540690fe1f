// Which period a report fire covers and which targets a period missed: the calendar arithmetic
// (ISO weeks across years, the client's zone at the month's edge) and the breach rules, pure.
import { describe, expect, it } from 'vitest';
import { closedPeriodAt, isoWeekOf, periodBounds, runningPeriodsAt } from '../../reporting/periods';
import { breachesOf, RUNNING_CHECK_MINIMUM, type ProcessSummary } from '../../reporting/service-report';

describe('report periods', () => {
  it('names ISO weeks, also those that straddle a new year', () => {
    expect(isoWeekOf('2026-11-26')).toBe('2026-W48');
    expect(isoWeekOf('2026-12-31')).toBe('2026-W53');
    expect(isoWeekOf('2027-01-03')).toBe('2026-W53');
    expect(isoWeekOf('2027-01-04')).toBe('2027-W01');
    expect(isoWeekOf('2025-12-29')).toBe('2026-W01');
    // Every week label reads back as the Monday-to-Monday it names.
    const { fromMs, toMs } = periodBounds(isoWeekOf('2026-03-11'), 'UTC')!;
    expect([new Date(fromMs).toISOString(), new Date(toMs).toISOString()]).toEqual(['2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z']);
  });

  it('reports the month or week that closed last before the fire, in the client’s zone', () => {
    // 06:00 on 1 December in New York is 11:00 UTC; 03:00 UTC is still 30 November there.
    expect(closedPeriodAt(new Date('2026-12-01T11:00:00Z'), 'monthly', 'America/New_York')).toBe('2026-11');
    expect(closedPeriodAt(new Date('2026-12-01T03:00:00Z'), 'monthly', 'America/New_York')).toBe('2026-10');
    expect(closedPeriodAt(new Date('2026-01-01T06:00:00Z'), 'monthly', 'UTC')).toBe('2025-12');
    expect(closedPeriodAt(new Date('2026-12-07T11:00:00Z'), 'weekly', 'America/New_York')).toBe('2026-W49');
    expect(closedPeriodAt(new Date('2027-01-04T06:00:00Z'), 'weekly', 'UTC')).toBe('2026-W53');
    // A late fire (catch-up on Wednesday) still reports the week before its own.
    expect(closedPeriodAt(new Date('2026-12-09T06:00:00Z'), 'weekly', 'UTC')).toBe('2026-W49');
    expect(runningPeriodsAt(new Date('2026-12-08T06:00:00Z'), 'Europe/Berlin')).toEqual(['2026-12', '2026-W50']);
  });
});

const figure = (measured: number | null, target: number | null, over: number) => ({ measured, target, over, met: measured === null || target === null || over === 0 ? null : measured >= target });
const summary = (over: number): ProcessSummary => ({
  process: 'claim-review',
  completed: over,
  failed: 0,
  turnaround: { ...figure(0.8, 0.9, over), p90Ms: 1, breaches: 2 },
  quality: figure(0.99, 0.98, over),
  straightThrough: figure(null, 0.5, 0),
  costPerTransaction: 1,
  currency: 'USD',
});

describe('breach rules', () => {
  it('a closed period breaches every missed target; met and unmeasured ones do not', () => {
    const breaches = breachesOf('acme', '2026-11', [summary(3)], true, '2026-12-01T06:00:00.000Z');
    expect(breaches).toEqual([
      { id: 'service-level-breach.acme.claim-review.2026-11.turnaround', client: 'acme', process: 'claim-review', period: '2026-11', target: 'turnaround', measured: 0.8, required: 0.9, over: 3, final: true, detectedAt: '2026-12-01T06:00:00.000Z' },
    ]);
  });

  it('a running period breaches only over enough items', () => {
    expect(breachesOf('acme', '2026-12', [summary(RUNNING_CHECK_MINIMUM - 1)], false, '2026-12-08T06:00:00.000Z')).toEqual([]);
    expect(breachesOf('acme', '2026-12', [summary(RUNNING_CHECK_MINIMUM)], false, '2026-12-08T06:00:00.000Z').map((b) => [b.target, b.final])).toEqual([['turnaround', false]]);
  });
});
