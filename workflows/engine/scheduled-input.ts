// How a scheduled run takes its input from the time it fires. A schedule holds only what stays the
// same every fire (client, options); the rest (PayrollRun's period) is read from the scheduled time
// in the schedule's time zone and business calendar. Pure and deterministic: the launcher workflow
// (scheduled-start.ts) computes it at fire time and the API shows it for the next fires.
import type { z } from 'zod';
import type { BusinessCalendar } from './business-calendar';

/** A process's scheduling rule, as `defineSchedule` makes it (the declaration's `schedule` field). */
export interface ProcessSchedule<Input = unknown> {
  /** What a schedule of this process holds: the parts of the input that stay the same every fire. */
  fixed: z.ZodType;
  /** The input of the run due at `firedAt`; `fixed` is checked against the schema first. */
  inputAt(fixed: unknown, firedAt: Date, calendar: BusinessCalendar): Input;
}

/** Ties the fixed part's schema to the rule that completes it, so the rule sees parsed, typed values. */
export function defineSchedule<F extends z.ZodType, Input>(rule: {
  fixed: F;
  inputAt(fixed: z.infer<F>, firedAt: Date, calendar: BusinessCalendar): Input;
}): ProcessSchedule<Input> {
  return { fixed: rule.fixed, inputAt: (fixed, firedAt, calendar) => rule.inputAt(rule.fixed.parse(fixed), firedAt, calendar) };
}

export type ScheduledInput = { ok: true; input: unknown } | { ok: false; message: string; issues: { path: PropertyKey[]; message: string }[] };

/** What scheduledInput reads of a process's declaration (process-definition.ts, which holds the rule). */
export interface ScheduledProcess {
  name: string;
  title: string;
  input: z.ZodType;
  schedule?: ProcessSchedule;
}

/**
 * The input a fire at `firedAt` gives the run: the process's rule, then the process's own input
 * schema (defaults applied), so the run gets exactly what a direct start with that input would.
 */
export function scheduledInput(process: ScheduledProcess, fixed: unknown, firedAt: Date, calendar: BusinessCalendar): ScheduledInput {
  const rule = process.schedule;
  if (!rule) return { ok: false, message: `${process.name} does not take its input from the fire time`, issues: [] };
  const held = rule.fixed.safeParse(fixed);
  if (!held.success) return { ok: false, message: 'The schedule’s fixed input does not match', issues: held.error.issues };
  const parsed = process.input.safeParse(rule.inputAt(held.data, firedAt, calendar));
  if (!parsed.success) return { ok: false, message: `The input for ${firedAt.toISOString()} does not match the ${process.title} input`, issues: parsed.error.issues };
  return { ok: true, input: parsed.data };
}
