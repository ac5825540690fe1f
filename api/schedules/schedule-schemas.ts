// The Schedules API's shapes, once each: the request bodies, and the view every read and change
// answers with. A described spec comes back in the shape it was sent in, so GET then PATCH works.
import { z } from 'zod';
import { DAYS_OF_WEEK, MONTHS } from '@temporalio/client';
import { RunStatus } from '../schemas';

const Iso = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');
const LocalDate = z.iso.date().describe('A local date, YYYY-MM-DD');
const DAY_MS = 86_400_000;

export const ScheduleId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Letters, digits and . _ -');
export const ScheduleIdParam = z.object({ scheduleId: ScheduleId });

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
/** Intl reads zone names in any case; Temporal's server (Go) only in their canonical spelling. */
export const canonicalTimeZone = (zone: string): string => new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
export const TimeZone = z.string().min(1).max(64).refine(isTimeZone, 'Not an IANA time zone, e.g. America/New_York').describe('IANA time zone the spec is read in');

const CRON = /^(@(yearly|monthly|weekly|daily|hourly)|[0-9A-Za-z*,/?-]+( [0-9A-Za-z*,/?-]+){4,6})$/;
export const CronExpression = z
  .string()
  .trim()
  .max(200)
  .regex(CRON, 'A cron expression of 5 to 7 fields (second and year optional), or @daily/@hourly/…; give the time zone in spec.timezone')
  .describe('e.g. `0 6 * * MON-FRI`: 06:00 on weekdays in spec.timezone');

export const Duration = z
  .string()
  .regex(/^[1-9]\d{0,8}(s|m|h|d)$/, 'A duration like 30s, 15m, 2h or 1d')
  .describe('A duration: 30s, 15m, 2h, 1d');

/** A field of a calendar: `*`, one value, a range, or a list of values and ranges. */
function calendarField<T extends z.ZodType>(unit: T) {
  const range = z.object({ start: unit, end: unit.optional(), step: z.number().int().min(1).max(60).optional() }).strict();
  return z.union([z.literal('*'), unit, range, z.array(z.union([unit, range])).min(1).max(60)]).optional();
}
const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const CalendarEntry = z
  .object({
    second: calendarField(int(0, 59)).describe('Default 0'),
    minute: calendarField(int(0, 59)).describe('Default 0'),
    hour: calendarField(int(0, 23)).describe('Default 0'),
    dayOfMonth: calendarField(int(1, 31)).describe('Default *'),
    month: calendarField(z.enum(MONTHS)).describe('Default *'),
    year: calendarField(int(2000, 2200)).describe('Default *'),
    dayOfWeek: calendarField(z.enum(DAYS_OF_WEEK)).describe('Default *'),
    comment: z.string().max(200).refine((c) => !c.startsWith('tandem:'), 'Comments starting with tandem: are reserved').optional(),
  })
  .strict();

export const IntervalEntry = z.object({ every: Duration, offset: Duration.optional() }).strict();

export const ScheduleSpecBody = z
  .object({
    cron: z.array(CronExpression).min(1).max(20).optional(),
    calendars: z.array(CalendarEntry).min(1).max(20).optional(),
    intervals: z.array(IntervalEntry).min(1).max(20).optional(),
    timezone: TimeZone,
    jitterMs: z.number().int().min(0).max(DAY_MS).optional().describe('Each run starts up to this much later, at random (spreads a fleet of 02:00 schedules)'),
    startAt: Iso.optional().describe('No runs before this'),
    endAt: Iso.optional().describe('No runs after this'),
    holidays: z.array(LocalDate).max(400).optional().describe('Local dates (in spec.timezone) on which the schedule does not run'),
    holidayCalendar: z.string().min(1).max(64).optional().describe('A named holiday calendar of the schedule’s client (see docs/OPERATIONS.md); its dates are copied in when the schedule is saved'),
  })
  .strict()
  .refine((s) => s.cron || s.calendars || s.intervals, { message: 'Give cron, calendars or intervals', path: ['cron'] })
  .refine((s) => !s.startAt || !s.endAt || Date.parse(s.startAt) < Date.parse(s.endAt), { message: 'endAt must be after startAt', path: ['endAt'] });
export type ScheduleSpecBody = z.infer<typeof ScheduleSpecBody>;

export const OverlapPolicy = z
  .enum(['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'])
  .describe('What a run due while the previous one still runs does: SKIP it, BUFFER_ONE / BUFFER_ALL until it ends, CANCEL_OTHER / TERMINATE_OTHER the running one, or ALLOW_ALL to run side by side');

export const SchedulePolicies = z
  .object({
    overlap: OverlapPolicy.optional().describe(
      'Default SKIP; ALLOW_ALL for a process whose runs take their input from the fire time, where it governs only the launchers (they end once the run has started) and the business item keeps one run per period',
    ),
    catchupWindowMs: z.number().int().min(10_000).max(365 * DAY_MS).optional().describe('After an outage, runs missed by at most this long still start. Default 1 hour (Temporal’s own default would be a year)'),
    pauseOnFailure: z.boolean().optional().describe('Pause the schedule when a run fails or times out. Default false'),
  })
  .strict();
export type SchedulePolicies = z.infer<typeof SchedulePolicies>;
export const DEFAULT_POLICIES = { overlap: 'SKIP', catchupWindowMs: 3_600_000, pauseOnFailure: false } as const;

const Note = z.string().trim().min(1).max(500);
const Input = z
  .record(z.string(), z.unknown())
  .describe(
    'The process’s input, as its start route takes it (GET /processes shows each input schema); for a process whose runs take their input from the fire time ' +
      '(its scheduleInputSchema in GET /processes, e.g. payroll-run: client and options, no period), only what stays fixed. Checked now, not when the schedule fires',
  );

export const CreateScheduleBody = z
  .object({
    scheduleId: ScheduleId.optional().describe('Default: <client>-<random>'),
    process: z.string().min(1).max(64).describe('The process each run starts, e.g. claim-review'),
    input: Input,
    spec: ScheduleSpecBody,
    policies: SchedulePolicies.optional(),
    note: Note.optional(),
    paused: z.boolean().optional().describe('Create it paused'),
  })
  .strict();
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

export const UpdateScheduleBody = z
  .object({
    spec: ScheduleSpecBody.optional().describe('Replaces the whole spec'),
    policies: SchedulePolicies.optional().describe('Only the named policies change'),
    input: Input.optional().describe('Replaces the input; the client stays the same'),
    note: Note.optional(),
  })
  .strict();
export type UpdateScheduleBody = z.infer<typeof UpdateScheduleBody>;

export const PauseBody = z.object({ note: Note.describe('Why: shown on the schedule until it is unpaused') }).strict();
export const UnpauseBody = z.object({ note: Note.optional() }).strict();
export const TriggerBody = z.object({ overlap: OverlapPolicy.optional().describe('Default: the schedule’s own policy') }).strict();
export const BackfillBody = z
  .object({
    start: Iso.describe('Start of the range (inclusive)'),
    end: Iso.describe('End of the range (exclusive): 00:00 to 05:00 of an hourly schedule is five runs'),
    overlap: OverlapPolicy.optional().describe('Default: the schedule’s own policy'),
  })
  .strict()
  .refine((b) => Date.parse(b.start) < Date.parse(b.end), { message: 'end must be after start', path: ['end'] })
  .refine((b) => Date.parse(b.end) - Date.parse(b.start) <= 366 * DAY_MS, { message: 'At most a year at a time', path: ['end'] });
export type BackfillBody = z.infer<typeof BackfillBody>;

export const ScheduledRun = z.object({
  runId: z.string().optional().describe('The run this fire started; for a refused fire, the run its business item already had. Absent while a launcher is still starting it, or when the launcher failed'),
  url: z.string().optional(),
  scheduledAt: Iso.describe('When the spec said (jitter included)'),
  startedAt: Iso.describe('When the schedule started it'),
  status: z
    .union([RunStatus, z.enum(['unknown', 'starting', 'refused'])])
    .describe('The run’s state now: running, completed, failed, cancelled…; for a schedule whose runs take their input from the fire time also `starting` (the launcher is computing the input) and `refused` (that input’s business item already had a run: none was started)'),
  closedAt: Iso.optional(),
  input: z.record(z.string(), z.unknown()).optional().describe('The input this fire computed from its time (schedules whose runs take their input from the fire time)'),
  refused: z.string().optional().describe('Why no run was started, e.g. "2026-11 already run as payroll-run:acme-health:2026-11"'),
  launchId: z.string().optional().describe('The launcher run that computed the input and started the run (Temporal UI)'),
});
export type ScheduledRun = z.infer<typeof ScheduledRun>;

export const NextRun = z.object({
  at: Iso,
  input: z.record(z.string(), z.unknown()).optional().describe('The input the run will get'),
  invalid: z.string().optional().describe('Why this fire would start no run: the input it computes does not match the process’s'),
});

export const ScheduleView = z.object({
  scheduleId: z.string(),
  url: z.string(),
  process: z.string(),
  client: z.string(),
  input: z
    .record(z.string(), z.unknown())
    .describe('What the schedule holds: the whole input, or for a process whose runs take their input from the fire time (payroll-run) only what stays fixed; nextRuns shows what each fire gets'),
  inputFromFireTime: z.boolean().describe('Each fire computes its own input from its scheduled time (a launcher starts the run under its business item; a second fire for the same item is refused)'),
  spec: ScheduleSpecBody,
  skippedDates: z.array(LocalDate).describe('Every holiday the schedule skips (its own and its calendar’s), as held by Temporal'),
  policies: z.object({ overlap: OverlapPolicy, catchupWindowMs: z.number(), pauseOnFailure: z.boolean() }),
  paused: z.boolean(),
  note: z.string().optional(),
  nextRunTimes: z.array(Iso).describe('The next times the spec gives, jitter included (listed while paused too)'),
  nextRuns: z.array(NextRun).describe('The next fires with the input each will get'),
  recentRuns: z.array(ScheduledRun).describe('The latest runs it started, oldest first, each with its current status'),
  stats: z.object({
    runsStarted: z.number().int(),
    skippedOverlap: z.number().int().describe('Runs not started because one was still running (SKIP; BUFFER_ONE beyond the one it holds)'),
    missedCatchupWindow: z.number().int().describe('Runs not started because Temporal was down for longer than the catch-up window'),
    buffered: z.number().int().describe('Runs waiting for the running one to finish (BUFFER_ONE / BUFFER_ALL / CANCEL_OTHER)'),
    bufferDropped: z.number().int().describe('Runs dropped because the buffer was full (Temporal’s limit for BUFFER_ALL)'),
  }),
  createdAt: Iso,
  updatedAt: Iso.optional(),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

export const ScheduleSummary = ScheduleView.pick({ scheduleId: true, url: true, process: true, client: true, paused: true, note: true, nextRunTimes: true }).extend({
  lastRunAt: Iso.optional(),
});
export type ScheduleSummary = z.infer<typeof ScheduleSummary>;

export const ScheduleList = z.object({ schedules: z.array(ScheduleSummary) });
export const ScheduleListQuery = z.object({
  process: z.string().max(64).optional(),
  client: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ScheduleAccepted = z.object({ scheduleId: z.string(), accepted: z.enum(['trigger', 'backfill']), url: z.string() });
