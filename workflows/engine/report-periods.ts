// Reporting periods in the client's time zone: a month (`2026-11`), an ISO week (`2026-W48`) or a
// day, and the buckets a series is cut into. Boundaries are local midnights, as the contract reads.
import { localDateOf, localToInstant } from './business-calendar';

export type Granularity = 'day' | 'week' | 'month';
export interface Bucket {
  label: string;
  fromMs: number;
  toMs: number;
}

const DAY = 86_400_000;
/** The years a period or a KPI range may fall in. */
export const REPORT_YEARS = { from: 1970, to: 3000 } as const;
const midnight = (tz: string, date: string): number => {
  const [y, m, d] = date.split('-').map(Number);
  return localToInstant(tz, y!, m!, d!, 0).getTime();
};
/** Local calendar arithmetic on YYYY-MM-DD strings (UTC dates stand in for local ones). */
const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const isoWeekday = (date: string): number => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/** `2026-11` → that month; `2026-W48` → that ISO week; `2026-11-05` → that day; in the zone. */
export function periodBounds(period: string, tz: string): { fromMs: number; toMs: number; granularity: Granularity } | undefined {
  // Reports cover the years a contract can: outside them, calendar arithmetic leaves 4-digit years.
  const year = Number(period.slice(0, 4));
  if (!(year >= REPORT_YEARS.from && year < REPORT_YEARS.to)) return undefined;
  let m = /^(\d{4})-(\d{2})$/.exec(period);
  if (m) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) return undefined;
    const next = month === 12 ? `${Number(m[1]) + 1}-01-01` : `${m[1]}-${String(month + 1).padStart(2, '0')}-01`;
    return { fromMs: midnight(tz, `${period}-01`), toMs: midnight(tz, next), granularity: 'month' };
  }
  m = /^(\d{4})-W(\d{2})$/.exec(period);
  if (m) {
    const week = Number(m[2]);
    if (week < 1 || week > 53) return undefined;
    const jan4 = `${m[1]}-01-04`;
    const monday = addDays(addDays(jan4, 1 - isoWeekday(jan4)), (week - 1) * 7);
    return { fromMs: midnight(tz, monday), toMs: midnight(tz, addDays(monday, 7)), granularity: 'week' };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(period) && !Number.isNaN(Date.parse(`${period}T00:00:00Z`))) {
    return { fromMs: midnight(tz, period), toMs: midnight(tz, addDays(period, 1)), granularity: 'day' };
  }
  return undefined;
}

/** Cuts [from, to) into local days, ISO weeks or months. */
export function bucketsOf(fromMs: number, toMs: number, granularity: Granularity, tz: string): Bucket[] {
  const buckets: Bucket[] = [];
  let date = localDateOf(new Date(fromMs), tz);
  if (granularity === 'week') date = addDays(date, 1 - isoWeekday(date));
  if (granularity === 'month') date = `${date.slice(0, 7)}-01`;
  for (let guard = 0; guard < 1000; guard++) {
    const start = midnight(tz, date);
    if (start >= toMs) break;
    const next = granularity === 'day' ? addDays(date, 1) : granularity === 'week' ? addDays(date, 7) : addDays(`${date.slice(0, 7)}-28`, 4).slice(0, 8) + '01';
    buckets.push({ label: granularity === 'month' ? date.slice(0, 7) : date, fromMs: Math.max(start, fromMs), toMs: Math.min(midnight(tz, next), toMs) });
    date = next;
  }
  return buckets;
}

/** A 95 % Wilson score interval for a proportion p observed over n. */
export function wilson95(p: number, n: number): [number, number] | null {
  if (n <= 0) return null;
  const z = 1.959964;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return [Math.max(0, (centre - spread) / denominator), Math.min(1, (centre + spread) / denominator)];
}

/** The ISO week (`2026-W48`) a local date falls in. */
export function isoWeekOf(date: string): string {
  const thursday = addDays(date, 4 - isoWeekday(date));
  const year = thursday.slice(0, 4);
  const jan1 = Date.parse(`${year}-01-01T00:00:00Z`);
  const week = Math.floor((Date.parse(`${thursday}T00:00:00Z`) - jan1) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export type ReportCadence = 'monthly' | 'weekly';

/**
 * The period a report fired at `at` covers: the month or ISO week that closed last before it, in
 * the client's zone (a fire at 06:00 on 1 December reports November; on Monday 7 December, W49).
 */
export function closedPeriodAt(at: Date, cadence: ReportCadence, tz: string): string {
  const today = localDateOf(at, tz);
  const yesterday = addDays(cadence === 'monthly' ? `${today.slice(0, 7)}-01` : addDays(today, 1 - isoWeekday(today)), -1);
  return cadence === 'monthly' ? yesterday.slice(0, 7) : isoWeekOf(yesterday);
}

/** The month and ISO week that `at` falls in (periods still running), in the zone. */
export function runningPeriodsAt(at: Date, tz: string): string[] {
  const today = localDateOf(at, tz);
  return [today.slice(0, 7), isoWeekOf(today)];
}
