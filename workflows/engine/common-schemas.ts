// Schemas shared by every process's input.
import { z } from 'zod';
import { isTimeZone } from './business-calendar';

export const ClientId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'A client id is lower-case letters, digits and dashes, e.g. acme-health')
  .describe('Client company the run works for');

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time of day, HH:MM');

export const BusinessCalendarSchema = z
  .object({
    timeZone: z.string().refine(isTimeZone, 'Not an IANA time zone (e.g. Europe/Berlin)'),
    workdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional().describe('ISO weekdays, 1 = Monday; default Monday–Friday'),
    opens: HHMM.optional().describe('Default 09:00'),
    closes: HHMM.optional().describe('Default 17:00'),
    holidays: z.array(z.iso.date()).max(400).optional(),
  })
  .strict()
  .describe('Working hours and holidays in the client’s time zone');

const Ms = z.number().int().min(0).max(366 * 24 * 3600 * 1000);

export const EscalationRungSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('remind'), afterMs: Ms }).strict(),
  z.object({ action: z.literal('reassign-team'), afterMs: Ms }).strict(),
  z.object({ action: z.literal('escalate'), afterMs: Ms, toTeam: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/), raisePriority: z.number().int().min(0).max(4).optional() }).strict(),
  z.object({ action: z.literal('auto-decide'), afterMs: Ms, decision: z.object({ action: z.string().min(1).max(64), data: z.record(z.string(), z.unknown()) }).strict() }).strict(),
]);

export const TaskSlaSchema = z
  .object({
    withinMs: Ms.min(1000).describe('Time allowed to decide, from the task opening'),
    calendar: BusinessCalendarSchema.optional().describe('Count business time in this calendar instead of elapsed time'),
    ladder: z.array(EscalationRungSchema).max(10).optional().describe('What happens after the breach, each afterMs past the due time'),
  })
  .strict();

export const RunSlaSchema = z
  .object({
    withinMs: Ms.min(1000).optional(),
    doneBy: z.object({ localTime: HHMM, timeZone: z.string().refine(isTimeZone, 'Not an IANA time zone') }).strict().optional(),
  })
  .strict()
  .refine((s) => s.withinMs !== undefined || s.doneBy !== undefined, 'Give withinMs or doneBy');
