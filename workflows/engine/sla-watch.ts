// The run's durable SLA timers. Each stage waits on condition(…, timeout): the task being decided
// ends the wait at once; a timeout fires the stage. Stages fire in order and at most once, so each
// rung raises exactly one event, also across worker restarts (the timers live in Temporal).
import { condition } from '@temporalio/workflow';
import type { EventType } from './events';
import type { HumanTaskView } from './messages';
import { slaStages, type TaskSla } from './sla';
import type { TaskBook } from './task-book';

export interface SlaHost {
  tasks: TaskBook;
  /** Mirrors a changed task to the inbox index. */
  sync(view: HumanTaskView): void;
  /** Raises a business event; `key` makes its id unique within the run. */
  emit(type: EventType, key: string, data: Record<string, unknown>, taskId?: string): void;
}

const EVENT_OF_ACTION: Record<string, EventType> = {
  remind: 'task.sla-reminder',
  'reassign-team': 'task.sla-escalated',
  escalate: 'task.sla-escalated',
  'auto-decide': 'task.auto-decided',
};

const isOpen = (view?: HumanTaskView): boolean => view?.status === 'open' || view?.status === 'claimed';

export async function watchTaskSla(host: SlaHost, taskId: string, openedAt: Date, sla: TaskSla): Promise<void> {
  for (const stage of slaStages(openedAt, sla)) {
    const wait = stage.at.getTime() - Date.now();
    if (wait > 0 && (await condition(() => !isOpen(host.tasks.get(taskId)), wait))) return;
    const now = new Date().toISOString();
    const view = stage.step ? host.tasks.climbSla(taskId, stage.rung, stage.step, now) : host.tasks.breachSla(taskId, now);
    if (!view) return;
    host.sync(view);
    const holder = view.claim?.operatorId ?? view.assignee;
    const facts = { team: view.team, dueAt: view.sla?.dueAt, ...(holder ? { holder } : {}), title: view.title, businessRef: view.businessRef };
    if (stage.step) host.emit(EVENT_OF_ACTION[stage.step.action]!, `${taskId}:${stage.rung}`, { ...facts, rung: stage.rung, action: stage.step.action }, taskId);
    else host.emit('task.sla-breached', taskId, facts, taskId);
  }
}

/** Waits for the run's due time; returns true if the run was still going then (a breach). */
export async function runSlaBreached(dueAt: Date, finished: () => boolean): Promise<boolean> {
  const wait = dueAt.getTime() - Date.now();
  if (wait > 0 && (await condition(finished, wait))) return false;
  return !finished();
}
