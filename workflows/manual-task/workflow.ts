// ManualTask: one human decision, recorded with who made it.
import { ApplicationFailure } from '@temporalio/workflow';
import { ProcessRun } from '../engine/process-run';
import { ManualTaskInput, manualTaskForm, type ManualTaskOutcome } from './schema';

export async function manualTask(rawInput: ManualTaskInput): Promise<ManualTaskOutcome> {
  const parsed = ManualTaskInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable('Invalid ManualTask input', 'InvalidInput', parsed.error.issues);
  const input = parsed.data;
  const run = new ProcessRun({ process: 'manual-task', client: input.client, businessRef: input.reference, sla: input.runSla });
  return run.execute(async () => {
    run.step('decide');
    const { decision, decidedBy } = await run.humanTask(manualTaskForm, {
      title: input.title,
      team: input.team,
      priority: input.priority,
      dueAt: input.dueAt,
      context: input.instructions ? { instructions: input.instructions } : {},
      sla: input.sla,
    });
    return decision.action === 'approve'
      ? { decision: 'approve', note: decision.data.note, decidedBy: decidedBy.operatorId }
      : { decision: 'reject', note: decision.data.reason, decidedBy: decidedBy.operatorId };
  });
}
