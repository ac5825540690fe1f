// A run's audit trail, read from its Temporal history rather than kept as a second copy that
// could drift: the run's start and close, its bot steps, and every accepted task Update with
// the operator identity it carried. Rejected Updates never reach history, so never appear.
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { StartMemo } from '../process-runs';
import type { InboxActivities } from '../../activities/inbox';
import { completeTaskUpdate, type RunCancellation } from '../../workflows/engine/messages';
import { CANCELLATION_MEMO } from '../../workflows/engine/run-cancellation';
import { SYSTEM, type AuditActor, type AuditEntry } from './audit-entry';
import { HistoryReader, idKey, isoOf, summariseFailure, type HistoryEvent } from './history-reader';
import { isRecord, TaskMemory } from './task-memory';

// The inbox activities only mirror task state into the Redis index: bookkeeping, not steps of the
// process. Their inputs still matter: they carry the task views (team, context). The Record makes
// the typecheck fail when an inbox activity is added and not listed here.
const INBOX_ACTIVITIES: Record<keyof InboxActivities, true> = { syncTask: true };
// Runs started before syncTask replaced them mirrored tasks with these two.
const INDEX_BOOKKEEPING: ReadonlySet<string> = new Set([...Object.keys(INBOX_ACTIVITIES), 'publishTask', 'retractTask']);

const COMPLETE_UPDATE = completeTaskUpdate.name;
const CORRECTION_ACTION = 'correct';

export async function buildAuditTrail(client: Client, runId: string): Promise<AuditEntry[]> {
  const reader = new HistoryReader(client, runId);
  return new TrailBuilder(reader).build(await reader.events());
}

/** `tandem.completeTask` → `complete`, `tandem.renewLease` → `renew-lease`. */
export function actionOfUpdate(updateName: string): string {
  const bare = updateName.replace(/^tandem\./, '').replace(/Task$/, '');
  return bare.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

interface BotStep {
  entry: AuditEntry;
  attempt?: number;
}

class TrailBuilder {
  private readonly entries: AuditEntry[] = [];
  private readonly tasks = new TaskMemory();
  /** Update entries by the id of their Accepted event, which the Completed event points back to. */
  private readonly updates = new Map<string, AuditEntry>();
  /** Bot-step entries by the id of their Scheduled event. */
  private readonly botSteps = new Map<string, BotStep>();
  /** Repeats of an Update id the run had already applied: they changed nothing. */
  private readonly replays = new Set<AuditEntry>();

  constructor(private readonly reader: HistoryReader) {}

  async build(events: HistoryEvent[]): Promise<AuditEntry[]> {
    for (const event of events) await this.apply(event, isoOf(event.eventTime));
    return this.entries.filter((e) => !this.replays.has(e));
  }

  /** Who started the run and, for a reprocessing, why (written by ProcessRuns.start). */
  private async startMemo(fields: Record<string, Payload> | null | undefined): Promise<Pick<StartMemo, 'startedBy' | 'reprocess'>> {
    const read = async (name: string) => (fields?.[name] ? (await this.reader.workflowValues({ payloads: [fields[name]] }))[0] : undefined);
    const startedBy = await read('startedBy');
    const reprocess = await read('reprocess');
    return { ...(typeof startedBy === 'string' ? { startedBy } : {}), ...(isRecord(reprocess) ? { reprocess: reprocess as StartMemo['reprocess'] } : {}) };
  }

  private async apply(event: HistoryEvent, at: string): Promise<void> {
    const step = (scheduled: { toString(): string } | null | undefined) => this.botSteps.get(idKey(scheduled));
    if (event.workflowExecutionStartedEventAttributes) {
      const started = event.workflowExecutionStartedEventAttributes;
      const [input] = await this.reader.workflowValues(started.input);
      const memo = await this.startMemo(started.memo?.fields);
      const actor: AuditActor = memo.startedBy ? { operatorId: memo.startedBy } : SYSTEM;
      const detail = { workflowType: started.workflowType?.name, input, ...(memo.reprocess ? { reprocess: memo.reprocess } : {}) };
      this.push({ at, actor, action: 'started', detail, outcome: 'done' });
    } else if (event.workflowExecutionUpdateAcceptedEventAttributes) {
      await this.updateAccepted(idKey(event.eventId), event.workflowExecutionUpdateAcceptedEventAttributes, at);
    } else if (event.workflowExecutionUpdateCompletedEventAttributes) {
      await this.updateCompleted(event.workflowExecutionUpdateCompletedEventAttributes);
    } else if (event.activityTaskScheduledEventAttributes) {
      await this.activityScheduled(idKey(event.eventId), event.activityTaskScheduledEventAttributes, at);
    } else if (event.activityTaskStartedEventAttributes) {
      const s = step(event.activityTaskStartedEventAttributes.scheduledEventId);
      if (s) s.attempt = event.activityTaskStartedEventAttributes.attempt ?? undefined;
    } else if (event.activityTaskCompletedEventAttributes) {
      this.botStepEnded(step(event.activityTaskCompletedEventAttributes.scheduledEventId), at);
    } else if (event.activityTaskFailedEventAttributes) {
      this.botStepEnded(step(event.activityTaskFailedEventAttributes.scheduledEventId), at, summariseFailure(event.activityTaskFailedEventAttributes.failure));
    } else if (event.activityTaskTimedOutEventAttributes) {
      this.botStepEnded(step(event.activityTaskTimedOutEventAttributes.scheduledEventId), at, summariseFailure(event.activityTaskTimedOutEventAttributes.failure));
    } else if (event.activityTaskCanceledEventAttributes) {
      this.botStepEnded(step(event.activityTaskCanceledEventAttributes.scheduledEventId), at, { message: 'cancelled', type: 'Cancelled' });
    } else if (event.workflowPropertiesModifiedEventAttributes) {
      await this.compensated(event.workflowPropertiesModifiedEventAttributes.upsertedMemo?.fields, at);
    } else if (event.workflowExecutionCancelRequestedEventAttributes) {
      const cause = event.workflowExecutionCancelRequestedEventAttributes.cause;
      this.push({ at, actor: SYSTEM, action: 'cancel-requested', ...(cause ? { detail: { cause } } : {}), outcome: 'done' });
    } else {
      await this.closed(event, at);
    }
  }

  /** A cancelled run's compensations, as it recorded them in its memo when it had run them. */
  private async compensated(fields: Record<string, Payload> | null | undefined, at: string): Promise<void> {
    const payload = fields?.[CANCELLATION_MEMO];
    if (!payload) return;
    const [cancellation] = (await this.reader.workflowValues({ payloads: [payload] })) as [RunCancellation | undefined];
    for (const c of cancellation?.compensations ?? []) {
      this.push({
        at: c.at ?? at,
        actor: SYSTEM,
        action: 'compensated',
        detail: { step: c.step, compensation: c.name, result: c.outcome, ...(c.detail ? { found: c.detail } : {}), cancelledBy: cancellation!.by, reason: cancellation!.reason },
        outcome: c.outcome === 'failed' ? 'failed' : 'done',
      });
    }
  }

  private async updateAccepted(id: string, accepted: NonNullable<HistoryEvent['workflowExecutionUpdateAcceptedEventAttributes']>, at: string): Promise<void> {
    const name = accepted.acceptedRequest?.input?.name ?? 'unknown';
    const [request] = await this.reader.workflowValues(accepted.acceptedRequest?.input?.args);
    const { actor, taskId, ...rest } = isRecord(request) ? request : {};
    const entry: AuditEntry = {
      at,
      actor: this.actorOf(actor, taskId),
      action: actionOfUpdate(name),
      ...(typeof taskId === 'string' ? { taskId } : {}),
      ...(Object.keys(rest).length ? { detail: rest } : {}),
      ...(name === COMPLETE_UPDATE && rest.action === CORRECTION_ACTION ? this.tasks.correction(taskId, rest.data) : {}),
      outcome: 'pending',
    };
    this.updates.set(id, entry);
    this.push(entry);
  }

  private async updateCompleted(completed: NonNullable<HistoryEvent['workflowExecutionUpdateCompletedEventAttributes']>): Promise<void> {
    const entry = this.updates.get(idKey(completed.acceptedEventId));
    if (!entry) return;
    if (completed.outcome?.failure) {
      entry.outcome = 'failed';
      entry.detail = { ...(isRecord(entry.detail) ? entry.detail : {}), failure: summariseFailure(completed.outcome.failure) };
      return;
    }
    entry.outcome = 'done';
    const [result] = await this.reader.workflowValues(completed.outcome?.success);
    this.learn(result, entry.at);
    if (!isRecord(result)) return;
    if (result.replayed === true) this.replays.add(entry);
    // A decision's result names the team and client it was decided for, whatever was known before.
    const decidedBy = result.decidedBy;
    if (isRecord(decidedBy) && 'operatorId' in entry.actor) {
      entry.actor = { ...entry.actor, ...pickStrings(decidedBy, ['team', 'client']) };
    }
  }

  private async activityScheduled(id: string, scheduled: NonNullable<HistoryEvent['activityTaskScheduledEventAttributes']>, at: string): Promise<void> {
    const activity = scheduled.activityType?.name ?? 'unknown';
    if (!INDEX_BOOKKEEPING.has(activity)) {
      const entry: AuditEntry = { at, actor: SYSTEM, action: 'bot-step', detail: { activity }, outcome: 'pending' };
      this.botSteps.set(id, { entry });
      this.push(entry);
      return;
    }
    const [input] = await this.reader.activityValues(scheduled.activityId, scheduled.input);
    this.learn(input, at);
  }

  /** Reads a task view the run handed out: its opening and the transitions the run made by itself. */
  private learn(value: unknown, at: string): void {
    const known = this.tasks.remember(value);
    if (!known) return;
    const { task, opened, system } = known;
    if (opened) {
      const view = task.view;
      const facts = { ...pickStrings(view, ['kind', 'title', 'team', 'assignee', 'dueAt']), ...(typeof view.priority === 'number' ? { priority: view.priority } : {}) };
      this.push({ at: typeof view.createdAt === 'string' ? view.createdAt : at, actor: SYSTEM, action: 'task-opened', taskId: task.taskId, detail: facts, outcome: 'done' });
    }
    for (const e of system) {
      this.push({ at: e.at, actor: SYSTEM, action: `task-${e.event}`, taskId: task.taskId, ...(e.note ? { detail: { note: e.note } } : {}), outcome: 'done' });
    }
  }

  private botStepEnded(step: BotStep | undefined, at: string, failure?: { message: string; type?: string }): void {
    if (!step) return;
    step.entry.outcome = failure ? 'failed' : 'done';
    step.entry.detail = {
      ...(isRecord(step.entry.detail) ? step.entry.detail : {}),
      endedAt: at,
      ...(step.attempt && step.attempt > 1 ? { attempts: step.attempt } : {}),
      ...(failure ? { failure } : {}),
    };
  }

  private async closed(event: HistoryEvent, at: string): Promise<void> {
    const finished = (status: string, outcome: AuditEntry['outcome'], more: Record<string, unknown> = {}) =>
      this.push({ at, actor: SYSTEM, action: 'finished', detail: { status, ...more }, outcome });
    if (event.workflowExecutionCompletedEventAttributes) {
      const [result] = await this.reader.workflowValues(event.workflowExecutionCompletedEventAttributes.result);
      finished('completed', 'done', { result });
    } else if (event.workflowExecutionFailedEventAttributes) {
      finished('failed', 'failed', { failure: summariseFailure(event.workflowExecutionFailedEventAttributes.failure) });
    } else if (event.workflowExecutionCanceledEventAttributes) {
      finished('cancelled', 'failed');
    } else if (event.workflowExecutionTerminatedEventAttributes) {
      const reason = event.workflowExecutionTerminatedEventAttributes.reason;
      finished('terminated', 'failed', reason ? { reason } : {});
    } else if (event.workflowExecutionTimedOutEventAttributes) {
      finished('timed-out', 'failed');
    } else if (event.workflowExecutionContinuedAsNewEventAttributes) {
      finished('continued-as-new', 'done');
    }
  }

  /** The operator an Update carried, without their team and client lists: the task says which applied. */
  private actorOf(actor: unknown, taskId: unknown): AuditActor {
    if (!isRecord(actor) || typeof actor.operatorId !== 'string') return SYSTEM;
    const task = this.tasks.get(taskId);
    return { operatorId: actor.operatorId, ...(task ? { team: task.team } : {}), ...(task?.client ? { client: task.client } : {}) };
  }

  private push(entry: AuditEntry): void {
    this.entries.push(entry);
  }
}

function pickStrings(record: Record<string, unknown>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => typeof record[k] === 'string').map((k) => [k, record[k] as string]));
}
