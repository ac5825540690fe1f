import { describe, expect, it } from 'vitest';
import { addBusinessTime, isTimeZone, localToInstant, nextLocalTime } from '../../workflows/engine/business-calendar';

const berlin = { timeZone: 'Europe/Berlin', opens: '09:00', closes: '17:00', holidays: ['2026-12-25'] };
const iso = (d: Date) => d.toISOString();

describe('business calendar', () => {
  it('converts local wall time to instants, across daylight saving changes', () => {
    expect(iso(localToInstant('Europe/Berlin', 2026, 1, 15, 9 * 60))).toBe('2026-01-15T08:00:00.000Z');
    expect(iso(localToInstant('Europe/Berlin', 2026, 7, 15, 9 * 60))).toBe('2026-07-15T07:00:00.000Z');
    expect(iso(localToInstant('America/New_York', 2026, 3, 9, 6 * 60))).toBe('2026-03-09T10:00:00.000Z'); // day after DST starts
  });

  it('counts only working hours: 4 h from Friday 15:00 lands on Monday 11:00', () => {
    const fri = localToInstant('Europe/Berlin', 2026, 11, 20, 15 * 60); // Friday
    expect(iso(addBusinessTime(fri, 4 * 3600_000, berlin))).toBe(iso(localToInstant('Europe/Berlin', 2026, 11, 23, 11 * 60)));
  });

  it('starts counting at opening time when started outside hours, and skips holidays', () => {
    const thuNight = localToInstant('Europe/Berlin', 2026, 12, 24, 22 * 60); // Thursday night before Christmas
    // Friday 25th is a holiday, then the weekend: the clock starts Monday 28th at 09:00.
    expect(iso(addBusinessTime(thuNight, 30 * 60_000, berlin))).toBe(iso(localToInstant('Europe/Berlin', 2026, 12, 28, 9 * 60 + 30)));
  });

  it('finds the next 06:00 in the client’s zone', () => {
    const evening = new Date('2026-11-22T20:00:00Z'); // 15:00 in New York
    expect(iso(nextLocalTime(evening, '06:00', 'America/New_York'))).toBe('2026-11-23T11:00:00.000Z');
    const early = new Date('2026-11-23T09:00:00Z'); // 04:00 in New York
    expect(iso(nextLocalTime(early, '06:00', 'America/New_York'))).toBe('2026-11-23T11:00:00.000Z');
  });

  it('refuses calendars with no working time, and knows real zones', () => {
    expect(() => addBusinessTime(new Date(), 1000, { timeZone: 'UTC', workdays: [] })).toThrow();
    expect(isTimeZone('Asia/Tokyo')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
