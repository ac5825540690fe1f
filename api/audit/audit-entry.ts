// One line of a run's audit trail: who did what to which task, when, and how it ended. Defined in
// zod so the routes serialise and document it from the same shape the trail builder returns.
import { z } from 'zod';

const Iso = z.string().describe('ISO 8601 timestamp');

export const AuditActor = z.union([
  z.object({
    operatorId: z.string(),
    team: z.string().optional().describe('The task’s team when the operator acted, when known'),
    client: z.string().optional(),
  }),
  z.object({ system: z.literal(true) }).describe('The run itself, a bot, or Temporal (timeouts, cancellation)'),
]);

export const AuditAction = z
  .string()
  .describe(
    'An operator’s task Update (`tandem.completeTask` → complete; claim, renew-lease, release, reassign, escalate, comment, label, run-task-bot), ' +
      'a transition the run made itself (task-opened, task-lease-expired, task-reassigned, task-cancelled), or a run event (started, bot-step, ' +
        'cancel-run: who asked to cancel and why, cancel-requested: Temporal’s cancel, compensated: what a cancelled run undid, finished)',
  );

export const AuditOutcome = z.enum(['done', 'failed', 'pending']).describe('pending: an Update or bot step still in progress');

export const AuditEntry = z.object({
  at: Iso,
  actor: AuditActor,
  action: AuditAction,
  taskId: z.string().optional(),
  detail: z.unknown().optional().describe('The request minus actor and task id (decision, comment, labels…), or the step’s facts'),
  before: z.record(z.string(), z.unknown()).optional().describe('Corrections: the corrected values as they were in the task’s context'),
  after: z.record(z.string(), z.unknown()).optional().describe('Corrections: the data the operator sent'),
  outcome: AuditOutcome,
});

export type AuditActor = z.infer<typeof AuditActor>;
export type AuditEntry = z.infer<typeof AuditEntry>;

export const SYSTEM: AuditActor = { system: true };

export const RunAuditTrail = z.object({ runId: z.string(), entries: z.array(AuditEntry) });
export const TaskAuditTrail = z.object({ taskId: z.string(), entries: z.array(AuditEntry) });
