// The human tasks of one run, as a plain state machine: the workflow wires Update and Query
// handlers to it, so its rules can be read (and tested) apart from Temporal's plumbing.
// Every check* method is a pure guard used twice: by the Update's validator (so a refused request
// writes nothing to history) and again by its handler.
import { ApplicationFailure } from '@temporalio/workflow';
import { checkDecision, formActions, type TaskForm } from './task-form';
import { TaskFailureType } from './failures';
import type { EscalationRung } from './sla';
import {
  taskIdFor,
  type Actor,
  type ClaimTaskRequest,
  type CommentTaskRequest,
  type CompleteTaskRequest,
  type CompleteTaskResult,
  type EscalateTaskRequest,
  type HumanTaskView,
  type LabelTaskRequest,
  type LeaseRequest,
  type ReassignTaskRequest,
  type RecordedDecision,
  type ReleaseTaskRequest,
  type TaskEvent,
  type TaskRequest,
} from './messages';

export interface RunIdentity {
  runId: string;
  process: string;
  client: string;
  businessRef: string;
}

export interface OpenTaskSpec {
  title?: string;
  team: string;
  assignee?: string;
  priority?: number;
  dueAt?: string;
  context?: Record<string, unknown>;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;
const MIN_LEASE_MS = 1_000;
const MAX_LEASE_MS = 60 * 60_000;
const LABEL = /^[a-z0-9][a-z0-9-]{0,39}$/;
const MAX_LABELS = 20;

interface TaskEntry {
  view: HumanTaskView;
  form: TaskForm;
  leaseMs: number;
}

function reject(type: TaskFailureType, message: string, details?: unknown): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

const isSupervisor = (actor: Actor): boolean => actor.roles.includes('supervisor');

export class TaskBook {
  private readonly tasks = new Map<string, TaskEntry>();
  private seq = 0;

  constructor(private readonly run: RunIdentity) {}

  open(form: TaskForm, spec: OpenTaskSpec, bots: string[], now: string, slaDueAt?: string): HumanTaskView {
    const view: HumanTaskView = {
      taskId: taskIdFor(this.run.runId, ++this.seq),
      runId: this.run.runId,
      process: this.run.process,
      client: this.run.client,
      businessRef: this.run.businessRef,
      kind: form.kind,
      title: spec.title ?? form.title,
      team: spec.team,
      assignee: spec.assignee,
      priority: spec.priority ?? 3,
      createdAt: now,
      dueAt: spec.dueAt ?? slaDueAt,
      status: 'open',
      actions: formActions(form),
      context: spec.context ?? {},
      bots,
      labels: [],
      comments: [],
      events: [{ at: now, by: 'system', event: 'opened' }],
      ...(slaDueAt ? { sla: { dueAt: slaDueAt, fired: [] } } : {}),
      version: 1,
    };
    this.tasks.set(view.taskId, { view, form, leaseMs: DEFAULT_LEASE_MS });
    return view;
  }

  // --- guards -------------------------------------------------------------------------------

  /** The task, if the actor is scoped to its client and team; otherwise "no such task" (no enumeration). */
  visible(request: TaskRequest): TaskEntry {
    const entry = this.tasks.get(request.taskId);
    const { actor } = request;
    if (!entry || !actor.clients.includes(entry.view.client) || !actor.teams.includes(entry.view.team)) {
      reject(TaskFailureType.NotFound, `Task ${request.taskId} does not exist`);
    }
    return entry;
  }

  /** A task that can still change, held by nobody else. */
  private actionable(request: TaskRequest): TaskEntry {
    const entry = this.visible(request);
    const { view } = entry;
    if (view.status === 'cancelled') reject(TaskFailureType.Cancelled, 'The run was cancelled; this task can no longer be changed');
    if (view.status === 'completed') {
      reject(TaskFailureType.AlreadyCompleted, `Task ${view.taskId} was already completed by ${view.decision?.decidedBy.operatorId}`, {
        decidedBy: view.decision?.decidedBy,
        decidedAt: view.decision?.decidedAt,
      });
    }
    const holder = view.claim?.operatorId ?? view.assignee;
    if (holder && holder !== request.actor.operatorId && !isSupervisor(request.actor)) {
      reject(TaskFailureType.Claimed, `Task ${view.taskId} is ${view.claim ? 'claimed by' : 'assigned to'} ${holder}`, { holder });
    }
    return entry;
  }

  checkComplete(request: CompleteTaskRequest, updateId: string | undefined): void {
    const view = this.tasks.get(request.taskId)?.view;
    // A retried call with the same Update id replays the first result instead of failing.
    if (view?.decision && view.decision.updateId === updateId && this.visible(request)) return;
    const entry = this.actionable(request);
    this.checkLease(entry.view, request.actor, request.leaseId);
    const check = checkDecision(entry.form, { action: request.action, data: request.data });
    if (!check.ok) reject(TaskFailureType.InvalidDecision, 'The decision does not match the task form', { issues: check.issues });
  }

  checkClaim(request: ClaimTaskRequest): void {
    this.actionable(request);
    const ms = request.leaseMs ?? DEFAULT_LEASE_MS;
    if (ms < MIN_LEASE_MS || ms > MAX_LEASE_MS) reject(TaskFailureType.InvalidRequest, `leaseMs must be between ${MIN_LEASE_MS} and ${MAX_LEASE_MS}`, { field: 'leaseMs' });
  }

  checkRenew(request: LeaseRequest): void {
    this.checkLease(this.actionable(request).view, request.actor, request.leaseId);
  }

  checkRelease(request: ReleaseTaskRequest): void {
    const { view } = this.actionable(request);
    if (!view.claim) reject(TaskFailureType.LeaseExpired, `Task ${view.taskId} is not claimed`);
    if (request.leaseId !== undefined) this.checkLease(view, request.actor, request.leaseId);
  }

  checkReassign(request: ReassignTaskRequest): void {
    this.visible(request);
    if (!isSupervisor(request.actor)) reject(TaskFailureType.Forbidden, 'Only a supervisor of the team can reassign its tasks');
    this.actionable(request);
    if (request.team === undefined && request.assignee === undefined) reject(TaskFailureType.InvalidRequest, 'Name a team or an assignee', { field: 'team' });
    if (request.team !== undefined && !LABEL.test(request.team)) reject(TaskFailureType.InvalidRequest, 'Not a team name', { field: 'team' });
  }

  checkEscalate(request: EscalateTaskRequest): void {
    const { view } = this.actionable(request);
    if (!LABEL.test(request.toTeam) || request.toTeam === view.team) reject(TaskFailureType.InvalidRequest, `Cannot escalate to ${request.toTeam}`, { field: 'toTeam' });
    if (!request.reason.trim()) reject(TaskFailureType.InvalidRequest, 'Give a reason', { field: 'reason' });
  }

  checkComment(request: CommentTaskRequest): void {
    this.actionable(request);
    if (!request.text.trim() || request.text.length > 2000) reject(TaskFailureType.InvalidRequest, 'A comment is 1 to 2000 characters', { field: 'text' });
  }

  checkLabel(request: LabelTaskRequest): void {
    const { view } = this.actionable(request);
    const bad = [...(request.add ?? []), ...(request.remove ?? [])].find((l) => !LABEL.test(l));
    if (bad !== undefined) reject(TaskFailureType.InvalidRequest, `Not a label: ${bad}`, { field: 'add' });
    if (new Set([...view.labels, ...(request.add ?? [])]).size > MAX_LABELS) reject(TaskFailureType.InvalidRequest, `At most ${MAX_LABELS} labels`, { field: 'add' });
  }

  checkBot(request: TaskRequest & { bot: string }): void {
    const { view } = this.actionable(request);
    if (!view.bots.includes(request.bot)) reject(TaskFailureType.InvalidRequest, `This task offers no bot ${request.bot}`, { field: 'bot' });
  }

  private checkLease(view: HumanTaskView, actor: Actor, leaseId: string | undefined): void {
    if (leaseId === undefined) return;
    if (view.claim?.leaseId !== leaseId || view.claim.operatorId !== actor.operatorId) {
      reject(TaskFailureType.LeaseExpired, `Your lease on task ${view.taskId} has lapsed; take the task again`);
    }
  }

  // --- transitions (each assumes its guard passed) ----------------------------------------------

  complete(request: CompleteTaskRequest, updateId: string, now: string): CompleteTaskResult {
    this.checkComplete(request, updateId);
    const entry = this.entry(request.taskId);
    const { view } = entry;
    if (view.decision) return this.result(view, view.decision, true);
    const check = checkDecision(entry.form, { action: request.action, data: request.data });
    if (!check.ok) reject(TaskFailureType.InvalidDecision, 'The decision does not match the task form', { issues: check.issues });
    const decision: RecordedDecision = {
      action: check.decision.action,
      data: check.decision.data,
      decidedBy: { operatorId: request.actor.operatorId, team: view.team, client: view.client },
      decidedAt: now,
      updateId,
    };
    view.status = 'completed';
    view.decision = decision;
    view.claim = undefined;
    this.record(view, now, request.actor.operatorId, 'completed', decision.action);
    return this.result(view, decision, false);
  }

  claim(request: ClaimTaskRequest, leaseId: string, now: string): HumanTaskView {
    this.checkClaim(request);
    const entry = this.entry(request.taskId);
    entry.leaseMs = request.leaseMs ?? DEFAULT_LEASE_MS;
    const view = entry.view;
    view.status = 'claimed';
    view.claim = { operatorId: request.actor.operatorId, leaseId, claimedAt: now, until: this.plus(now, entry.leaseMs) };
    return this.record(view, now, request.actor.operatorId, 'claimed');
  }

  renew(request: LeaseRequest, now: string): HumanTaskView {
    this.checkRenew(request);
    const entry = this.entry(request.taskId);
    entry.view.claim!.until = this.plus(now, entry.leaseMs);
    return this.record(entry.view, now, request.actor.operatorId, 'renewed');
  }

  release(request: ReleaseTaskRequest, now: string): HumanTaskView {
    this.checkRelease(request);
    const view = this.reopen(request.taskId);
    return this.record(view, now, request.actor.operatorId, 'released');
  }

  /** The lease timer fired: the task goes back to its queue unless the lease was renewed or ended. */
  expireLease(taskId: string, leaseId: string, now: string): HumanTaskView | undefined {
    const view = this.tasks.get(taskId)?.view;
    if (!view?.claim || view.claim.leaseId !== leaseId || Date.parse(view.claim.until) > Date.parse(now)) return undefined;
    const holder = view.claim.operatorId;
    this.reopen(taskId);
    return this.record(view, now, 'system', 'lease-expired', holder);
  }

  reassign(request: ReassignTaskRequest, now: string): { view: HumanTaskView; fromTeam: string } {
    this.checkReassign(request);
    const view = this.reopen(request.taskId);
    const fromTeam = view.team;
    if (request.team !== undefined) view.team = request.team;
    if (request.assignee !== undefined) view.assignee = request.assignee ?? undefined;
    this.record(view, now, request.actor.operatorId, 'reassigned', `${view.team}${view.assignee ? `/${view.assignee}` : ''}`);
    return { view, fromTeam };
  }

  escalate(request: EscalateTaskRequest, now: string): { view: HumanTaskView; fromTeam: string } {
    this.checkEscalate(request);
    const view = this.reopen(request.taskId);
    const fromTeam = view.team;
    view.escalated = { by: request.actor.operatorId, at: now, reason: request.reason.trim(), fromTeam };
    view.team = request.toTeam;
    view.assignee = undefined;
    view.priority = Math.max(1, view.priority - 1);
    this.record(view, now, request.actor.operatorId, 'escalated', request.reason.trim());
    return { view, fromTeam };
  }

  comment(request: CommentTaskRequest, now: string): HumanTaskView {
    this.checkComment(request);
    const view = this.entry(request.taskId).view;
    view.comments.push({ by: request.actor.operatorId, at: now, text: request.text.trim() });
    return this.record(view, now, request.actor.operatorId, 'commented');
  }

  label(request: LabelTaskRequest, now: string): HumanTaskView {
    this.checkLabel(request);
    const view = this.entry(request.taskId).view;
    const remove = new Set(request.remove ?? []);
    view.labels = [...new Set([...view.labels, ...(request.add ?? [])])].filter((l) => !remove.has(l)).sort();
    return this.record(view, now, request.actor.operatorId, 'labelled', view.labels.join(','));
  }

  recordBotResult(taskId: string, bot: string, by: string, outcome: Record<string, unknown>, now: string): HumanTaskView {
    const view = this.entry(taskId).view;
    const bots = (view.context.bots ?? {}) as Record<string, unknown>;
    view.context = { ...view.context, bots: { ...bots, [bot]: { at: now, by, ...outcome } } };
    return this.record(view, now, by, 'bot-run', bot);
  }

  recordBotQueued(taskId: string, bot: string, by: string, now: string): HumanTaskView {
    return this.record(this.entry(taskId).view, now, by, 'bot-queued', bot);
  }

  /** A change without an event of its own (an attended run's progress): a new version for the index. */
  touch(taskId: string): HumanTaskView {
    const view = this.entry(taskId).view;
    view.version++;
    return view;
  }

  assign(taskId: string, assignee: string, now: string): HumanTaskView {
    const view = this.entry(taskId).view;
    view.assignee = assignee;
    return this.record(view, now, 'system', 'reassigned', `auto-assigned to ${assignee}`);
  }

  // --- service level (the run's own timers call these; the actor is the system) ---------------

  /** The task's deadline passed undecided. */
  breachSla(taskId: string, now: string): HumanTaskView | undefined {
    const view = this.tasks.get(taskId)?.view;
    if (!view?.sla || (view.status !== 'open' && view.status !== 'claimed')) return undefined;
    view.sla.breachedAt = now;
    return this.record(view, now, 'system', 'sla-breached');
  }

  /** One rung of the escalation ladder; returns the task if it applied. */
  climbSla(taskId: string, rung: number, step: EscalationRung, now: string): HumanTaskView | undefined {
    const entry = this.tasks.get(taskId);
    const view = entry?.view;
    if (!view?.sla || (view.status !== 'open' && view.status !== 'claimed')) return undefined;
    view.sla.fired.push({ rung, action: step.action, at: now });
    switch (step.action) {
      case 'remind':
        return this.record(view, now, 'system', 'sla-reminder', view.claim?.operatorId ?? view.assignee ?? view.team);
      case 'reassign-team':
        this.reopen(taskId);
        view.assignee = undefined;
        return this.record(view, now, 'system', 'sla-escalated', `back to the ${view.team} queue`);
      case 'escalate': {
        const fromTeam = view.team;
        this.reopen(taskId);
        view.escalated = { by: 'system', at: now, reason: 'Service level breached', fromTeam };
        view.team = step.toTeam;
        view.assignee = undefined;
        view.priority = Math.max(1, view.priority - (step.raisePriority ?? 1));
        return this.record(view, now, 'system', 'sla-escalated', `to ${step.toTeam}`);
      }
      case 'auto-decide': {
        const check = checkDecision(entry!.form, step.decision);
        if (!check.ok) return this.record(view, now, 'system', 'sla-escalated', 'automatic decision does not fit the form; left open');
        view.status = 'completed';
        view.claim = undefined;
        view.decision = {
          action: check.decision.action,
          data: check.decision.data,
          decidedBy: { operatorId: 'system:sla', team: view.team, client: view.client },
          decidedAt: now,
          updateId: `sla:${taskId}:${rung}`,
        };
        return this.record(view, now, 'system', 'auto-decided', check.decision.action);
      }
    }
  }

  /** Marks every open or claimed task cancelled (the run was cancelled) and returns them. */
  cancelOpen(now: string): HumanTaskView[] {
    const open = this.openTasks();
    for (const task of open) {
      task.status = 'cancelled';
      task.claim = undefined;
      this.record(task, now, 'system', 'cancelled');
    }
    return open;
  }

  // --- reading ------------------------------------------------------------------------------

  get(taskId: string): HumanTaskView | undefined {
    return this.tasks.get(taskId)?.view;
  }

  decisionOf(taskId: string): RecordedDecision | undefined {
    return this.entry(taskId).view.decision;
  }

  /** Every task the run opened, in order (for the run's facts). */
  allTasks(): HumanTaskView[] {
    return [...this.tasks.values()].map((e) => e.view);
  }

  openTasks(): HumanTaskView[] {
    return [...this.tasks.values()].map((e) => e.view).filter((v) => v.status === 'open' || v.status === 'claimed');
  }

  private reopen(taskId: string): HumanTaskView {
    const view = this.entry(taskId).view;
    view.status = 'open';
    view.claim = undefined;
    return view;
  }

  private record(view: HumanTaskView, at: string, by: string, event: TaskEvent['event'], note?: string): HumanTaskView {
    view.events.push({ at, by, event, ...(note ? { note } : {}) });
    view.version++;
    return view;
  }

  private plus(now: string, ms: number): string {
    return new Date(Date.parse(now) + ms).toISOString();
  }

  private entry(taskId: string): TaskEntry {
    const entry = this.tasks.get(taskId);
    if (!entry) throw new Error(`unknown task ${taskId}`);
    return entry;
  }

  private result(view: HumanTaskView, decision: RecordedDecision, replayed: boolean): CompleteTaskResult {
    return {
      taskId: view.taskId,
      team: view.team,
      version: view.version,
      status: 'completed',
      action: decision.action,
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
      replayed,
    };
  }
}
