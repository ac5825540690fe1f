// A run as people read it (runs get, runs watch): what it is doing, whom it waits on since when,
// how much of its SLA is left, its steps, open tasks and how it ended.
import type { Run } from '../api-types';
import { compact, fields, since, table, timeLeft, when } from '../output';

export function waitingOn(run: Run, now = Date.now()): string | undefined {
  const w = run.waitingOn;
  if (!w) return undefined;
  switch (w.kind) {
    case 'human': {
      const task = run.openTasks.find((t) => t.taskId === w.taskId);
      const due = task?.sla?.dueAt ?? task?.dueAt;
      return `team ${w.team}${w.assignee ? ` (${w.assignee})` : ''}, task ${w.taskId}, ${since(w.since, now)}${due ? `, task due ${when(due)} (${timeLeft(due, now)})` : ''}`;
    }
    case 'bot':
      return `bot ${w.bot}, ${since(w.since, now)}`;
    case 'timer':
      return `a timer until ${when(w.until)} (${timeLeft(w.until, now)})`;
    case 'batch':
      return `batch ${w.batchId}, ${since(w.since, now)}`;
  }
}

export function slaLine(run: Run, now = Date.now()): string | undefined {
  const sla = run.sla;
  if (!sla) return undefined;
  if (sla.breached) return `due ${when(sla.dueAt)}, breached${sla.breachedAt ? ` at ${when(sla.breachedAt)}` : ''}`;
  return `due ${when(sla.dueAt)}, ${run.closedAt ? 'met' : timeLeft(sla.dueAt, now)}`;
}

/** `running (waiting-human)`; a closed run's phase is where it stood when it closed, so it is left out. */
export function statusLine(run: Pick<Run, 'status' | 'phase'>): string {
  return run.status === 'running' && run.phase && run.phase !== 'running' ? `running (${run.phase})` : run.status;
}

export function renderRun(run: Run, now = Date.now()): string {
  const blocks = [
    fields([
      ['Run', run.runId],
      ['Process', run.process],
      ['Client', run.client],
      ['Reference', run.businessRef],
      ['Status', statusLine(run)],
      ['Step', run.step],
      ['Waiting on', waitingOn(run, now)],
      ['SLA', slaLine(run, now)],
      ['Started', when(run.startedAt)],
      ['Closed', when(run.closedAt)],
      ['Outcome', run.outcome === undefined ? undefined : compact(run.outcome)],
      ['Failure', run.failure && `${run.failure.message}${run.failure.type ? ` (${run.failure.type})` : ''}`],
    ]),
    `Steps\n${table(
      ['step', 'started', 'ended', 'result', 'note'],
      run.steps.map((s) => [s.step, when(s.startedAt), when(s.endedAt), s.result ?? '', s.note ?? '']),
    )}`,
  ];
  if (run.openTasks.length) {
    blocks.push(
      `Open tasks\n${table(
        ['task', 'team', 'status', 'assignee', 'actions', 'due'],
        run.openTasks.map((t) => [t.taskId, t.team, t.status, t.assignee ?? '', t.actions.join(','), timeLeft(t.sla?.dueAt ?? t.dueAt, now)]),
      )}`,
    );
  }
  if (run.batches?.length) blocks.push(`Batches\n${table(['batch', 'handler', 'key'], run.batches.map((b) => [b.batchId, b.handler, b.batchKey]))}`);
  return blocks.join('\n\n');
}
