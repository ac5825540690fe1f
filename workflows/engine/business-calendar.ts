// Business time in a client's time zone: working days, opening hours and holidays. Pure and
// deterministic (Intl with a fixed zone), so SLA deadlines computed inside a workflow replay the
// same way every time.

export interface BusinessCalendar {
  /** IANA time zone of the client, e.g. Europe/Berlin. */
  timeZone: string;
  /** ISO weekdays that are worked: 1 = Monday … 7 = Sunday. Default Monday to Friday. */
  workdays?: number[];
  /** Opening and closing time, `HH:MM`, local. Default 09:00–17:00. */
  opens?: string;
  closes?: string;
  /** Local dates that are not worked, `YYYY-MM-DD`. */
  holidays?: string[];
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, at: Date): LocalParts {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, format);
  }
  const p = Object.fromEntries(format.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS[p.weekday as string]!,
  };
}

/** The instant when the wall clock in `timeZone` shows the given local date and time. */
export function localToInstant(timeZone: string, year: number, month: number, day: number, minutes: number): Date {
  const wanted = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  let guess = wanted;
  // Two passes settle the zone offset, also across a DST change.
  for (let i = 0; i < 3; i++) {
    const p = partsIn(timeZone, new Date(guess));
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wanted - shown;
  }
  return new Date(guess);
}

const toMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};
const pad = (n: number): string => String(n).padStart(2, '0');

/** Whether the zone is known to this runtime's Intl (validate calendars at the edge with it). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The first instant at or after `start` plus `ms` of working time, counted only while open. */
export function addBusinessTime(start: Date, ms: number, calendar: BusinessCalendar): Date {
  const workdays = calendar.workdays ?? [1, 2, 3, 4, 5];
  const opens = toMinutes(calendar.opens ?? '09:00');
  const closes = toMinutes(calendar.closes ?? '17:00');
  const holidays = new Set(calendar.holidays ?? []);
  if (closes <= opens || workdays.length === 0) throw new Error('A business calendar needs opening hours on at least one day');
  let left = ms;
  let cursor = start;
  // Walk day by day in local time; a year of closed days means a broken calendar, not a deadline.
  for (let guard = 0; guard < 400; guard++) {
    const p = partsIn(calendar.timeZone, cursor);
    const date = `${p.year}-${pad(p.month)}-${pad(p.day)}`;
    const open = workdays.includes(p.weekday) && !holidays.has(date);
    const dayOpen = localToInstant(calendar.timeZone, p.year, p.month, p.day, opens);
    const dayClose = localToInstant(calendar.timeZone, p.year, p.month, p.day, closes);
    if (open && cursor < dayClose) {
      const from = cursor > dayOpen ? cursor : dayOpen;
      const available = dayClose.getTime() - from.getTime();
      if (left <= available) return new Date(from.getTime() + left);
      left -= available;
    }
    // Next local midnight (noon-anchored so DST days of 23 or 25 hours land on the right date).
    const noon = localToInstant(calendar.timeZone, p.year, p.month, p.day, 12 * 60);
    const next = partsIn(calendar.timeZone, new Date(noon.getTime() + 24 * 60 * 60 * 1000));
    cursor = localToInstant(calendar.timeZone, next.year, next.month, next.day, 0);
  }
  throw new Error('No working time in the next 400 days of this business calendar');
}

/** The next instant after `after` when the local clock in `timeZone` shows `hhmm` (e.g. a run due by 06:00). */
export function nextLocalTime(after: Date, hhmm: string, timeZone: string): Date {
  const p = partsIn(timeZone, after);
  const today = localToInstant(timeZone, p.year, p.month, p.day, toMinutes(hhmm));
  if (today > after) return today;
  const noon = localToInstant(timeZone, p.year, p.month, p.day, 12 * 60);
  const n = partsIn(timeZone, new Date(noon.getTime() + 24 * 60 * 60 * 1000));
  return localToInstant(timeZone, n.year, n.month, n.day, toMinutes(hhmm));
}

/** Working time between two instants: their overlap with the calendar's open hours (the KPI clock). */
export function businessTimeBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  const workdays = calendar.workdays ?? [1, 2, 3, 4, 5];
  const opens = toMinutes(calendar.opens ?? '09:00');
  const closes = toMinutes(calendar.closes ?? '17:00');
  const holidays = new Set(calendar.holidays ?? []);
  let total = 0;
  let cursor = from;
  for (let guard = 0; cursor < to && guard < 4000; guard++) {
    const p = partsIn(calendar.timeZone, cursor);
    const date = `${p.year}-${pad(p.month)}-${pad(p.day)}`;
    if (workdays.includes(p.weekday) && !holidays.has(date)) {
      const dayOpen = localToInstant(calendar.timeZone, p.year, p.month, p.day, opens).getTime();
      const dayClose = localToInstant(calendar.timeZone, p.year, p.month, p.day, closes).getTime();
      total += Math.max(0, Math.min(dayClose, to.getTime()) - Math.max(dayOpen, from.getTime()));
    }
    const noon = localToInstant(calendar.timeZone, p.year, p.month, p.day, 12 * 60);
    const next = partsIn(calendar.timeZone, new Date(noon.getTime() + 24 * 60 * 60 * 1000));
    cursor = localToInstant(calendar.timeZone, next.year, next.month, next.day, 0);
  }
  return total;
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDateOf(at: Date, timeZone: string): string {
  const p = partsIn(timeZone, at);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}
