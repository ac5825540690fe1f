// Shapes of the attended-bot routes: the trigger's body and answer, and one attended run.
import { z } from 'zod';

const Iso = z.string().describe('ISO 8601 timestamp');

export const BotTriggerBody = z
  .object({
    bot: z.string().min(1).max(64).describe('One of the task’s `bots`'),
    input: z.record(z.string(), z.unknown()).optional().describe('What the bot takes from the operator, if it declares any'),
  })
  .strict();

export const AttendedRunStatus = z.enum(['queued', 'running', 'done', 'failed']);

export const AttendedFailure = z.object({
  kind: z.enum(['business', 'system']),
  code: z.string().describe('e.g. BotStepTimedOut (stopped at its deadline), ClaimNotFound, Timeout'),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  evidence: z.object({ screenshot: z.string().optional(), trace: z.string().optional() }).optional(),
});

export const AttendedRun = z.object({
  attendedRunId: z.string(),
  taskId: z.string(),
  bot: z.string(),
  requestedBy: z.string(),
  status: AttendedRunStatus,
  queuedAt: Iso,
  startedAt: Iso.optional(),
  endedAt: Iso.optional(),
  deadlineMs: z.number().int().describe('The bot is stopped this long after it started'),
  steps: z.array(z.object({ step: z.string(), at: Iso })).describe('The bot’s progress steps as it reported them'),
  progress: z.record(z.string(), z.unknown()).optional(),
  failure: AttendedFailure.optional(),
});

export const BotTriggerReply = z.object({
  attendedRunId: z.string(),
  taskId: z.string(),
  bot: z.string(),
  status: AttendedRunStatus,
  url: z.string().describe('GET it for the run’s progress and outcome'),
});

export const AttendedRunDetail = AttendedRun.extend({
  url: z.string(),
  result: z.unknown().optional().describe('What the bot returned (also in the task’s context.bots), once done'),
  links: z.object({ screenshot: z.string().optional(), trace: z.string().optional() }).optional().describe('The failure’s evidence, to download'),
});

export const AttendedRunParams = z.object({
  taskId: z.string().min(1).max(220).regex(/^[A-Za-z0-9._:-]+\.t\d+$/, 'Not a task id'),
  attendedRunId: z.string().min(1).max(240).regex(/^[A-Za-z0-9._:-]+\.t\d+\.b\d+$/, 'Not an attended run id'),
});
