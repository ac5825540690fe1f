// KPIs from the reporting store against the test's own record of a month of mixed work for two
// clients (bot successes, reviews, business and system exceptions, failures, cancellations, QA
// passes and failures, items crossing the month's edges), worked out independently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunFactStore } from '../../reporting/fact-store';
import { computeKpis } from '../../reporting/kpis';
import { bucketsOf, periodBounds, wilson95 } from '../../reporting/periods';
import { expectedKpis, LEVELS, monthOfWork, NOVEMBER } from './month-of-work';

const PER_CLIENT = Number(process.env.TANDEM_KPI_ITEMS ?? 400);
const record = monthOfWork(PER_CLIENT);
let store: RunFactStore;

beforeAll(async () => {
  store = await RunFactStore.open(':memory:', LEVELS);
  await store.upsert(record.map((r) => r.fact));
});
afterAll(() => store?.close());

describe.each(['kpi-east', 'kpi-west'])('a month of mixed work for %s', (client) => {
  const level = LEVELS.find((l) => l.client === client)!;
  const tz = level.calendar.timeZone;
  const want = expectedKpis(record, client);

  it('matches every KPI worked out from the test’s own record', async () => {
    const bounds = periodBounds('2026-11', tz)!;
    expect({ from: bounds.fromMs, to: bounds.toMs }).toEqual(NOVEMBER[client]);
    const got = await computeKpis(store, { client, process: 'claim-review', fromMs: bounds.fromMs, toMs: bounds.toMs, granularity: 'week', timeZone: tz, level });

    expect(want.completed).toBeGreaterThan(PER_CLIENT / 3);
    expect(want.breaches).toBeGreaterThan(0);
    expect(want.reviewed).toBeGreaterThan(10);
    expect(want.passed).toBeLessThan(want.reviewed);

    expect(got.volume).toEqual({ completed: want.completed, failed: want.failed, cancelled: want.cancelled });
    expect(got.turnaround).toMatchObject({ measured: want.completed, withinTarget: want.within, breaches: want.breaches, target: level.turnaround.attainment });
    expect(got.turnaround.attainment).toBeCloseTo(want.within / want.completed, 12);
    expect(got.turnaround.p50Ms).toBeCloseTo(want.p50!, 3);
    expect(got.turnaround.p90Ms).toBeCloseTo(want.p90!, 3);
    expect(got.turnaround.histogram.reduce((s, b) => s + b.items, 0)).toBe(want.completed);
    expect(got.straightThrough.items).toBe(want.stp);
    expect(got.straightThrough.rate).toBeCloseTo(want.stp / want.completed, 12);
    expect(got.firstPassYield.items).toBe(want.fpy);
    expect(got.exceptions.entered).toBe(want.entered);
    expect(got.exceptions.business.items).toBe(want.business);
    expect(got.exceptions.system.items).toBe(want.system);
    expect(new Map(got.exceptions.business.reasons.map((r) => [r.code, r.items]))).toEqual(want.businessReasons);
    expect(new Map(got.exceptions.system.reasons.map((r) => [r.code, r.items]))).toEqual(want.systemReasons);
    expect(got.quality.reviewed).toBe(want.reviewed);
    expect(got.quality.passed).toBe(want.passed);
    expect(got.quality.passRate).toBeCloseTo(want.passRate, 12);
    const [lo, hi] = got.quality.interval95!;
    expect(lo).toBeLessThan(want.passRate);
    expect(hi).toBeGreaterThan(want.passRate);
    expect(got.cost.perTransaction).toBeCloseTo(want.costPerTransaction, 5);
    expect(got.cost.currency).toBe(level.cost.currency);
    expect(got.operators.touchedItems).toBe(want.touched);
    expect(got.operators.handleMinutes).toBeCloseTo(want.handleMinutes, 9);
    expect(got.bots.minutes).toBeCloseTo(want.botMinutes, 9);
    expect(got.bots.successRate).toBeCloseTo(want.botSuccess, 12);

    // The weekly series adds up to the month, bucket by bucket.
    expect(got.series.map((p) => p.bucket)).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
    expect(got.series.reduce((s, p) => s + p.completed, 0)).toBe(want.completed);
    expect(got.series.reduce((s, p) => s + p.breaches, 0)).toBe(want.breaches);
    expect(got.series.reduce((s, p) => s + p.businessExceptions, 0)).toBe(want.business);
  });

  it('never mixes in the other client', async () => {
    const bounds = periodBounds('2026-11', tz)!;
    const got = await computeKpis(store, { client, fromMs: bounds.fromMs, toMs: bounds.toMs, granularity: 'month', timeZone: tz });
    expect(got.volume.completed).toBe(want.completed);
    const nobody = await computeKpis(store, { client: 'kpi-nobody', fromMs: bounds.fromMs, toMs: bounds.toMs, granularity: 'month', timeZone: tz });
    expect(nobody.volume).toEqual({ completed: 0, failed: 0, cancelled: 0 });
    expect(nobody.turnaround.attainment).toBeNull();
  });
});

describe('the reporting store', () => {
  it('keeps one row per run however often a fact is fed', async () => {
    const before = await store.count();
    await store.upsert(record.slice(0, 50).map((r) => r.fact));
    expect(await store.count()).toBe(before);
    expect(before).toBe(record.length);
  });

  it('reads periods in the client’s zone: months, ISO weeks, days', () => {
    expect(periodBounds('2026-W01', 'UTC')).toEqual({ fromMs: Date.parse('2025-12-29T00:00:00Z'), toMs: Date.parse('2026-01-05T00:00:00Z'), granularity: 'week' });
    expect(periodBounds('2026-03-29', 'Europe/Berlin')).toEqual({ fromMs: Date.parse('2026-03-28T23:00:00Z'), toMs: Date.parse('2026-03-29T22:00:00Z'), granularity: 'day' });
    expect(periodBounds('2026-13', 'UTC')).toBeUndefined();
    expect(bucketsOf(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z'), 'month', 'UTC').map((b) => b.label)).toEqual(['2026-01', '2026-02', '2026-03']);
  });

  it('gives the Wilson interval of the textbook example', () => {
    const [lo, hi] = wilson95(0.9, 50)!;
    expect(lo).toBeCloseTo(0.7864, 3);
    expect(hi).toBeCloseTo(0.9565, 3);
    expect(wilson95(0.5, 0)).toBeNull();
  });
});
