// Non-working days: each client's named holiday calendars, and how a schedule skips them. The
// dates become Temporal `skip` calendars evaluated in the schedule's own time zone, so a holiday
// means the whole local day, whatever the server's clock says.
import { MONTHS, type CalendarSpec, type CalendarSpecDescription } from '@temporalio/client';

/** client → calendar name → local dates (YYYY-MM-DD). Read when a schedule is created or updated. */
export type HolidayCalendars = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export const HOLIDAY_CALENDARS: HolidayCalendars = {
  'acme-health': {
    // US federal holidays, on the day they are observed.
    'us-federal': [
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03',
      '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25',
      '2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31', '2027-06-18', '2027-07-05',
      '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25', '2027-12-24',
    ],
  },
  'globex-insurance': {
    // Bank holidays in England and Wales, substitute days included.
    'uk-england-wales': [
      '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
      '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
    ],
  },
};

/** Marks our skip entries apart from anything else in a schedule's spec. */
const HOLIDAY_MARK = 'tandem:holiday';

export interface Holiday {
  date: string;
  /** The named calendar it came from; none for the schedule's own dates. */
  calendar?: string;
}

export function calendarDates(calendars: HolidayCalendars, client: string, name: string): readonly string[] | undefined {
  return calendars[client]?.[name];
}

/** The names of a client's calendars, for error messages. */
export function calendarNames(calendars: HolidayCalendars, client: string): string[] {
  return Object.keys(calendars[client] ?? {});
}

/** One skip entry per holiday: the whole local day (every hour, minute and second of it). */
export function holidaySkips(holidays: readonly Holiday[]): CalendarSpec[] {
  const seen = new Set<string>();
  return holidays.flatMap(({ date, calendar }) => {
    if (seen.has(date)) return [];
    seen.add(date);
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    return [{
      year,
      month: MONTHS[month - 1]!,
      dayOfMonth: day,
      hour: '*',
      minute: '*',
      second: '*',
      comment: calendar ? `${HOLIDAY_MARK} ${date} ${calendar}` : `${HOLIDAY_MARK} ${date}`,
    } satisfies CalendarSpec];
  });
}

/** Reads our holidays back from a described spec's skip entries; other skips are left alone. */
export function holidaysOf(skip: readonly Pick<CalendarSpecDescription, 'comment'>[] | undefined): Holiday[] {
  return (skip ?? []).flatMap((entry) => {
    const [mark, date, calendar] = (entry.comment ?? '').split(' ');
    if (mark !== HOLIDAY_MARK || !date) return [];
    return [calendar ? { date, calendar } : { date }];
  });
}

export const isOurComment = (comment: string | undefined): boolean => (comment ?? '').startsWith('tandem:');
