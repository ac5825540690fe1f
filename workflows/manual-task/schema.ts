// ManualTask: a decision a person makes with no bot around it (a supervisor's sign-off, a
// one-off check a client asks for). Also what the inbox benchmark loads by the thousand.
import { z } from 'zod';
import { ClientId, RunSlaSchema, TaskSlaSchema } from '../engine/common-schemas';
import { defineTaskForm } from '../engine/task-form';

export const ManualTaskInput = z
  .object({
    client: ClientId,
    reference: z.string().trim().min(1).max(64).regex(/^[\w.:/-]+$/, 'Letters, digits and . _ : / -').describe('Business reference operators search by'),
    title: z.string().trim().min(3).max(200),
    team: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'A team name is lower-case letters, digits and dashes'),
    priority: z.number().int().min(1).max(5).default(3),
    dueAt: z.iso.datetime().optional().describe('When the decision is due (ISO 8601)'),
    instructions: z.string().max(2000).optional(),
    sla: TaskSlaSchema.optional().describe('Deadline and escalation ladder of the decision'),
    runSla: RunSlaSchema.optional().describe('When the whole run must be done'),
  })
  .strict();
export type ManualTaskInput = z.input<typeof ManualTaskInput>;

export const manualTaskForm = defineTaskForm({
  kind: 'manual-task.decide',
  title: 'Decide',
  decision: z.discriminatedUnion('action', [
    z.object({ action: z.literal('approve'), data: z.object({ note: z.string().trim().max(500).optional() }).strict() }),
    z.object({ action: z.literal('reject'), data: z.object({ reason: z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500) }).strict() }),
  ]),
});

export interface ManualTaskOutcome {
  decision: 'approve' | 'reject';
  note?: string;
  decidedBy: string;
}
