// The activities workflow code calls, as contracts: the workflow proxies them by these types, the
// workers register implementations of them (activities/*.ts), and neither side imports the other.
// Bot steps are the exception by design: each process declares its own in its `bots.ts`.
import type { TandemEvent } from './events';
import type { HumanTaskView } from './messages';

export interface SyncTaskOptions {
  /** The team the task left (reassigned, escalated): its queue must drop the task. */
  fromTeam?: string;
}

export interface SyncTaskResult {
  /** For a new task of an auto-assign team: the member with the least open work. */
  assignTo?: string;
}

/** Keeps the Redis inbox index in step with the run's own task state (activities/inbox.ts). */
export interface InboxActivities {
  syncTask(task: HumanTaskView, options?: SyncTaskOptions): Promise<SyncTaskResult>;
}

/** Queues business events for webhook delivery (notifications/emit-event.ts). */
export interface NotificationActivities {
  /** Queues the event for delivery to every subscription of its client and type. Idempotent by event id. */
  emitEvent(event: TandemEvent): Promise<void>;
}

/** Where a business item stands: an open run, the last completed one, and the next attempt free. */
export type BusinessItemState = { open: string } | { nextAttempt: number; completed?: string } | { exhausted: string };

/** Read from Temporal by an activity (workflow code cannot describe other runs): activities/business-items.ts. */
export interface BusinessItemActivities {
  businessItemState(item: { process: string; client: string; ref: string }): Promise<BusinessItemState>;
}

/** What an earlier run of a batch finished (activities/batch-history.ts). */
export interface BatchHistoryActivities {
  /** Items that the newest closed run of this batch id (before the current one) finished. */
  itemsDoneEarlier(request: { batchId: string; currentRunId: string }): Promise<{ runId?: string; refs: string[] }>;
}
