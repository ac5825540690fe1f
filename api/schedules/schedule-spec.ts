// Our spec ⇄ Temporal's ScheduleSpec. Temporal compiles cron strings into calendars and forgets
// the string, so each cron carries itself as the calendar's comment (`… #tandem:cron <expr>`) and
// comes back as written; holidays come back from their skip entries the same way.
import type { CalendarSpec, CalendarSpecDescription, Range, ScheduleSpec, ScheduleSpecDescription } from '@temporalio/client';
import { holidaySkips, holidaysOf, type Holiday } from './holiday-calendars';
import { canonicalTimeZone, type ScheduleSpecBody } from './schedule-schemas';

const CRON_MARK = 'tandem:cron ';

type Loose<T> = T | { start: T; end?: T; step?: number };
type Field<T> = '*' | Loose<T> | Array<Loose<T>>;

function toRange<T extends string | number>(value: Loose<T>): T | Range<T> {
  if (typeof value !== 'object' || value === null) return value;
  return { start: value.start, end: value.end ?? value.start, step: value.step ?? 1 };
}

function toField<T extends string | number>(field: Field<T> | undefined): '*' | T | Range<T> | Array<T | Range<T>> | undefined {
  if (field === undefined || field === '*') return field;
  return Array.isArray(field) ? field.map(toRange) : toRange(field);
}

type CalendarBody = NonNullable<ScheduleSpecBody['calendars']>[number];

function toCalendar(entry: CalendarBody): CalendarSpec {
  return {
    second: toField(entry.second),
    minute: toField(entry.minute),
    hour: toField(entry.hour),
    dayOfMonth: toField(entry.dayOfMonth),
    month: toField(entry.month),
    year: toField(entry.year),
    dayOfWeek: toField(entry.dayOfWeek),
    ...(entry.comment ? { comment: entry.comment } : {}),
  } as CalendarSpec;
}

/** The spec Temporal gets: our holidays (own and from the client's calendar) become skip entries. */
export function toTemporalSpec(spec: ScheduleSpecBody, holidays: readonly Holiday[]): ScheduleSpec {
  return {
    cronExpressions: spec.cron?.map((cron) => `${cron} #${CRON_MARK}${cron}`),
    calendars: spec.calendars?.map(toCalendar),
    intervals: spec.intervals?.map(({ every, offset }) => ({ every, ...(offset ? { offset } : {}) })),
    skip: holidaySkips(holidays),
    timezone: canonicalTimeZone(spec.timezone),
    jitter: spec.jitterMs,
    startAt: spec.startAt ? new Date(spec.startAt) : undefined,
    endAt: spec.endAt ? new Date(spec.endAt) : undefined,
  };
}

const UNITS: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];

/** 7200000 → '2h': the largest unit that divides it. */
export function formatDuration(ms: number): string {
  const [unit, size] = UNITS.find(([, size]) => ms % size === 0) ?? ['s', 1_000];
  return `${Math.max(1, Math.round(ms / size))}${unit}`;
}

function fromField<T extends string | number>(ranges: Range<T>[], whole?: [T, T]): Field<T> {
  if (ranges.length === 0) return '*';
  const loose = ranges.map((r): Loose<T> => (r.start === r.end ? r.start : r.step > 1 ? r : { start: r.start, end: r.end }));
  const only = ranges[0]!;
  if (ranges.length === 1 && whole && only.start === whole[0] && only.end === whole[1] && only.step <= 1) return '*';
  return loose.length === 1 ? loose[0]! : loose;
}

/** A described calendar, compacted to how a person writes it; fields at their default are left out. */
function fromCalendar(c: CalendarSpecDescription): CalendarBody {
  const entry = {
    second: fromField(c.second, [0, 59]),
    minute: fromField(c.minute, [0, 59]),
    hour: fromField(c.hour, [0, 23]),
    dayOfMonth: fromField(c.dayOfMonth, [1, 31]),
    month: fromField(c.month, ['JANUARY', 'DECEMBER']),
    year: fromField(c.year),
    dayOfWeek: fromField(c.dayOfWeek, ['SUNDAY', 'SATURDAY']),
  };
  const isDefault = (key: keyof typeof entry, value: unknown) => value === (['second', 'minute', 'hour'].includes(key) ? 0 : '*');
  const kept = Object.fromEntries(Object.entries(entry).filter(([key, value]) => !isDefault(key as keyof typeof entry, value)));
  return { ...kept, ...(c.comment ? { comment: c.comment } : {}) } as CalendarBody;
}

/** Our spec back from Temporal's description, and every date it skips. */
export function fromTemporalSpec(spec: ScheduleSpecDescription): { spec: ScheduleSpecBody; skippedDates: string[] } {
  const calendars = spec.calendars ?? [];
  const cron = calendars.flatMap((c) => (c.comment?.startsWith(CRON_MARK) ? [c.comment.slice(CRON_MARK.length)] : []));
  const others = calendars.filter((c) => !c.comment?.startsWith(CRON_MARK)).map(fromCalendar);
  const holidays = holidaysOf(spec.skip);
  const own = holidays.filter((h) => !h.calendar).map((h) => h.date);
  const calendar = holidays.find((h) => h.calendar)?.calendar;
  const intervals = (spec.intervals ?? []).map(({ every, offset }) => ({ every: formatDuration(every), ...(offset ? { offset: formatDuration(offset) } : {}) }));
  return {
    spec: {
      ...(cron.length ? { cron } : {}),
      ...(others.length ? { calendars: others } : {}),
      ...(intervals.length ? { intervals } : {}),
      timezone: spec.timezone || 'UTC',
      ...(spec.jitter ? { jitterMs: spec.jitter } : {}),
      ...(spec.startAt ? { startAt: spec.startAt.toISOString() } : {}),
      ...(spec.endAt ? { endAt: spec.endAt.toISOString() } : {}),
      ...(own.length ? { holidays: own } : {}),
      ...(calendar ? { holidayCalendar: calendar } : {}),
    },
    skippedDates: [...new Set(holidays.map((h) => h.date))].sort(),
  };
}
