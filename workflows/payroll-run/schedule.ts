// PayrollRun on a schedule: the schedule holds the client and the options; each fire works the pay
// period that closed before it, in the schedule's (the client's) time zone: a fire at 02:00 on
// 1 December in New York works November, and so does one at 02:00 UTC that day in Tokyo (11:00).
import { localDateOf } from '../engine/business-calendar';
import { defineSchedule } from '../engine/scheduled-input';
import { PayrollRunInput } from './schema';

export const PayrollScheduleInput = PayrollRunInput.omit({ period: true }).describe(
  'What a payroll-run schedule holds: the client and options; each fire works the period that closed before it',
);

/** The calendar month before the one `at` falls in, in `timeZone`: YYYY-MM. */
export function periodClosedBefore(at: Date, timeZone: string): string {
  const [year, month] = localDateOf(at, timeZone).split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

export const payrollRunSchedule = defineSchedule({
  fixed: PayrollScheduleInput,
  inputAt: (fixed, firedAt, calendar) => ({ ...fixed, period: periodClosedBefore(firedAt, calendar.timeZone) }),
});
