// Tasks as people read them: a queue as a table, one task with its context and what each action
// asks for (read from the form's JSON Schema), and where a queue answer came from when degraded.
import type { Task, TaskQueue, TaskWithForm } from '../api-types';
import { compact, fields, table, timeLeft, when } from '../output';

export function taskRows(tasks: Task[], now = Date.now()): string {
  return table(
    ['task', 'reference', 'title', 'status', 'assignee', 'priority', 'due'],
    tasks.map((t) => [t.taskId, t.businessRef, t.title, t.status, t.assignee ?? t.claim?.operatorId ?? '', String(t.priority), timeLeft(t.sla?.dueAt ?? t.dueAt, now)]),
  );
}

/** An action's fields from its JSON Schema: `reason*` is required. */
function actionFields(schema: Record<string, unknown> | undefined): string {
  const properties = Object.keys((schema?.properties as Record<string, unknown> | undefined) ?? {});
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return properties.map((p) => (required.has(p) ? `${p}*` : p)).join(', ');
}

export function renderTask(task: Task | TaskWithForm, now = Date.now()): string {
  const form = 'form' in task ? task.form : undefined;
  const blocks = [
    fields([
      ['Task', task.taskId],
      ['Title', task.title],
      ['Run', task.runId],
      ['Process', task.process],
      ['Client', task.client],
      ['Reference', task.businessRef],
      ['Team', task.team],
      ['Status', task.status],
      ['Assignee', task.assignee],
      ['Lease', task.claim && `${task.claim.leaseId} (${task.claim.operatorId}, until ${when(task.claim.until)})`],
      ['Priority', String(task.priority)],
      ['Created', when(task.createdAt)],
      ['Due', (task.sla?.dueAt ?? task.dueAt) && `${when(task.sla?.dueAt ?? task.dueAt)} (${timeLeft(task.sla?.dueAt ?? task.dueAt, now)})`],
      ['Decision', task.decision && `${task.decision.action} by ${task.decision.decidedBy.operatorId} at ${when(task.decision.decidedAt)}`],
    ]),
    form
      ? `Actions (* required)\n${table(
          ['action', 'data'],
          task.actions.map((a) => [a, actionFields(form.actions[a])]),
        )}`
      : `Actions  ${task.actions.join(', ')} (tandem tasks get ${task.taskId} shows what each asks for)`,
  ];
  const context = Object.entries(task.context);
  if (context.length) blocks.push(`Context\n${fields(context.map(([k, v]) => [k, compact(v)]))}`);
  if ('run' in task && task.run?.steps.length) {
    blocks.push(`Run steps\n${table(['step', 'ended', 'result'], task.run.steps.map((s) => [s.step, when(s.endedAt), s.result ?? '']))}`);
  }
  return blocks.join('\n\n');
}

/** Says so when the queue was not read from the index (Redis or Temporal away). */
export function queueNotes(answer: Pick<TaskQueue, 'source' | 'degraded' | 'stale'>): string[] {
  const notes: string[] = [];
  if (answer.degraded) notes.push(`note: read from Temporal (${answer.degraded.reason}): slower, possibly incomplete`);
  if (answer.stale) notes.push(`note: the index as it was since ${when(answer.stale.since)} (${answer.stale.reason}); nothing can be recorded now`);
  return notes;
}
