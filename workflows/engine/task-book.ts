// The human tasks of one run, as a plain state machine: the workflow wires Update and Query
// handlers to it, so its rules can be read (and tested) apart from Temporal's plumbing.
import { ApplicationFailure } from '@temporalio/workflow';
import { checkDecision, formActions, type TaskForm } from './task-form';
import { TaskFailureType } from './failures';
import {
  taskIdFor,
  type Actor,
  type CompleteTaskRequest,
  type CompleteTaskResult,
  type HumanTaskView,
  type RecordedDecision,
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

interface TaskEntry {
  view: HumanTaskView;
  form: TaskForm;
}

function reject(type: TaskFailureType, message: string, details?: unknown): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

export class TaskBook {
  private readonly tasks = new Map<string, TaskEntry>();
  private seq = 0;

  constructor(private readonly run: RunIdentity) {}

  open(form: TaskForm, spec: OpenTaskSpec, now: string): HumanTaskView {
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
      dueAt: spec.dueAt,
      status: 'open',
      actions: formActions(form),
      context: spec.context ?? {},
    };
    this.tasks.set(view.taskId, { view, form });
    return view;
  }

  /** The recorded decision, once there is one. */
  decisionOf(taskId: string): RecordedDecision | undefined {
    return this.entry(taskId).view.decision;
  }

  /** Update validator: throws (and so writes nothing to history) unless the decision can apply. */
  validate(request: CompleteTaskRequest, updateId: string | undefined): void {
    const entry = this.tasks.get(request.taskId);
    if (!entry) reject(TaskFailureType.NotFound, `Task ${request.taskId} does not exist`);
    const { view } = entry;
    if (!this.mayAct(request.actor, view)) {
      // Same answer as an unknown task: a caller must not learn that another client's task exists.
      reject(TaskFailureType.NotFound, `Task ${request.taskId} does not exist`);
    }
    if (view.status === 'cancelled') reject(TaskFailureType.Cancelled, 'The run was cancelled; this task can no longer be decided');
    if (view.status === 'completed') {
      if (view.decision?.updateId === updateId) return; // a retried call: the handler replays the result
      reject(TaskFailureType.AlreadyCompleted, `Task ${view.taskId} was already completed by ${view.decision?.decidedBy.operatorId}`, {
        decidedBy: view.decision?.decidedBy,
        decidedAt: view.decision?.decidedAt,
      });
    }
    const check = checkDecision(entry.form, { action: request.action, data: request.data });
    if (!check.ok) reject(TaskFailureType.InvalidDecision, 'The decision does not match the task form', { issues: check.issues });
  }

  complete(request: CompleteTaskRequest, updateId: string, now: string): CompleteTaskResult {
    this.validate(request, updateId);
    const entry = this.entry(request.taskId);
    const { view } = entry;
    if (view.decision) return this.result(view.taskId, view.decision, true);
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
    return this.result(view.taskId, decision, false);
  }

  /** Marks every open task cancelled (the run was cancelled) and returns them. */
  cancelOpen(): HumanTaskView[] {
    const open = this.openTasks();
    for (const task of open) task.status = 'cancelled';
    return open;
  }

  get(taskId: string): HumanTaskView | undefined {
    return this.tasks.get(taskId)?.view;
  }

  openTasks(): HumanTaskView[] {
    return [...this.tasks.values()].map((e) => e.view).filter((v) => v.status === 'open');
  }

  all(): HumanTaskView[] {
    return [...this.tasks.values()].map((e) => e.view);
  }

  private mayAct(actor: Actor, view: HumanTaskView): boolean {
    return actor.clients.includes(view.client) && actor.teams.includes(view.team);
  }

  private entry(taskId: string): TaskEntry {
    const entry = this.tasks.get(taskId);
    if (!entry) throw new Error(`unknown task ${taskId}`);
    return entry;
  }

  private result(taskId: string, decision: RecordedDecision, replayed: boolean): CompleteTaskResult {
    return {
      taskId,
      status: 'completed',
      action: decision.action,
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
      replayed,
    };
  }
}
