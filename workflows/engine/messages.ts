// The messages every Tandem run answers, and their payload types. Both the workflow (which sets
// the handlers) and the API (which calls them) import this module, so the two cannot disagree.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Who acts on a task. Carried inside every Update so history itself says who decided, and so the
 *  workflow can re-check the caller's scope however the Update reached Temporal. */
export interface Actor {
  operatorId: string;
  /** Teams the operator works in. */
  teams: string[];
  /** Client companies the operator is scoped to. */
  clients: string[];
  /** e.g. `operator`, `supervisor`: a supervisor may reassign tasks of their teams. */
  roles: string[];
}

export type TaskStatus = 'open' | 'claimed' | 'completed' | 'cancelled';

export interface TaskClaim {
  operatorId: string;
  /** Token of this claim: a decision sent with an older lease id is refused (the lease expired). */
  leaseId: string;
  claimedAt: string;
  /** The claim lapses at this time unless renewed; the task then goes back to its queue. */
  until: string;
}

export interface TaskComment {
  by: string;
  at: string;
  text: string;
}

/** One entry of a task's own trail: every transition, who made it, when. */
export interface TaskEvent {
  at: string;
  by: string;
  event:
    | 'opened'
    | 'claimed'
    | 'renewed'
    | 'released'
    | 'lease-expired'
    | 'reassigned'
    | 'escalated'
    | 'commented'
    | 'labelled'
    | 'bot-run'
    | 'completed'
    | 'cancelled'
    | 'sla-breached'
    | 'sla-reminder'
    | 'sla-escalated'
    | 'auto-decided';
  note?: string;
}

export interface HumanTaskView {
  taskId: string;
  runId: string;
  process: string;
  client: string;
  businessRef: string;
  kind: string;
  title: string;
  team: string;
  assignee?: string;
  /** 1 (most urgent) to 5. */
  priority: number;
  createdAt: string;
  dueAt?: string;
  status: TaskStatus;
  actions: string[];
  /** What the operator needs to decide: extracted data, the bot's failure, links to evidence. */
  context: Record<string, unknown>;
  /** Attended bots an operator may launch from this task (their results land in `context.bots`). */
  bots: string[];
  claim?: TaskClaim;
  labels: string[];
  comments: TaskComment[];
  escalated?: { by: string; at: string; reason: string; fromTeam: string };
  events: TaskEvent[];
  /** The task's service level: when it is due, when it was breached, which ladder rungs fired. */
  sla?: { dueAt: string; breachedAt?: string; fired: Array<{ rung: number; action: string; at: string }> };
  /** Increases with every transition: the inbox index never lets an older copy overwrite a newer one. */
  version: number;
  decision?: RecordedDecision;
}

export interface RecordedDecision {
  action: string;
  data: unknown;
  decidedBy: { operatorId: string; team: string; client: string };
  decidedAt: string;
  updateId: string;
}

export interface TaskRequest {
  taskId: string;
  actor: Actor;
}

export interface CompleteTaskRequest extends TaskRequest {
  action: string;
  data: unknown;
  /** The lease the decision was made under; refused if that lease has lapsed. */
  leaseId?: string;
}

export interface ClaimTaskRequest extends TaskRequest {
  leaseMs?: number;
}

export interface LeaseRequest extends TaskRequest {
  leaseId: string;
}

export interface ReleaseTaskRequest extends TaskRequest {
  leaseId?: string;
}

export interface ReassignTaskRequest extends TaskRequest {
  team?: string;
  /** Operator to assign to, or null to leave the task to the whole team. */
  assignee?: string | null;
}

export interface EscalateTaskRequest extends TaskRequest {
  reason: string;
  /** The team that receives escalations of the task's team (from the roster, filled in by the API). */
  toTeam: string;
}

export interface CommentTaskRequest extends TaskRequest {
  text: string;
}

export interface LabelTaskRequest extends TaskRequest {
  add?: string[];
  remove?: string[];
}

export interface RunTaskBotRequest extends TaskRequest {
  bot: string;
}

export interface CompleteTaskResult {
  taskId: string;
  team: string;
  /** The task's version after the decision: lets the inbox index drop the task without racing older copies. */
  version: number;
  status: 'completed';
  action: string;
  decidedBy: RecordedDecision['decidedBy'];
  decidedAt: string;
  /** True when this call repeated an Update id that had already decided the task. */
  replayed: boolean;
}

export type WaitingOn =
  | { kind: 'human'; taskId: string; team: string; assignee?: string; since: string }
  | { kind: 'bot'; bot: string; since: string }
  | { kind: 'timer'; until: string; since: string }
  | { kind: 'batch'; batchId: string; since: string };

/** An item batch a run started (its progress: GET /batches/{batchId}). */
export interface RunBatchRef {
  batchId: string;
  handler: string;
  batchKey: string;
}

export type RunPhase = 'running' | 'waiting-human' | 'waiting-bot' | 'completed' | 'failed' | 'cancelled';

export interface RunStepView {
  step: string;
  startedAt: string;
  endedAt?: string;
  result?: 'ok' | 'exception' | 'skipped';
  note?: string;
}

export interface RunView {
  runId: string;
  process: string;
  client: string;
  businessRef: string;
  phase: RunPhase;
  step?: string;
  waitingOn?: WaitingOn;
  startedAt: string;
  sla?: { dueAt: string; breachedAt?: string };
  steps: RunStepView[];
  openTasks: HumanTaskView[];
  batches?: RunBatchRef[];
  outcome?: unknown;
  /** Set once someone asked to cancel the run: who, why, and what its compensation undid. */
  cancellation?: RunCancellation;
}

/** A supervisor's request to stop a run, carried by the cancelRun Update so history says who and why. */
export interface CancelRunRequest {
  actor: Actor;
  reason: string;
}

/** What the run undid for steps already done when it was cancelled (declared by the process). */
export interface CompensationRecord {
  /** The step it makes good, e.g. `enter-decision`. */
  step: string;
  /** What the compensation does, e.g. `reverse-adjudication`. */
  name: string;
  outcome: 'done' | 'nothing-to-undo' | 'failed';
  at: string;
  /** What it found and did (e.g. the reversal's confirmation), or why it failed. */
  detail?: Record<string, unknown>;
}

export interface RunCancellation {
  /** The operator who asked (`system` when Temporal cancelled the run itself, e.g. a schedule's overlap policy). */
  by: string;
  reason: string;
  requestedAt: string;
  /** Filled in as the run compensates; absent until the run has stopped. */
  compensations?: CompensationRecord[];
}

export const completeTaskUpdate = defineUpdate<CompleteTaskResult, [CompleteTaskRequest]>('tandem.completeTask');
export const claimTaskUpdate = defineUpdate<HumanTaskView, [ClaimTaskRequest]>('tandem.claimTask');
export const renewLeaseUpdate = defineUpdate<HumanTaskView, [LeaseRequest]>('tandem.renewLease');
export const releaseTaskUpdate = defineUpdate<HumanTaskView, [ReleaseTaskRequest]>('tandem.releaseTask');
export const reassignTaskUpdate = defineUpdate<HumanTaskView, [ReassignTaskRequest]>('tandem.reassignTask');
export const escalateTaskUpdate = defineUpdate<HumanTaskView, [EscalateTaskRequest]>('tandem.escalateTask');
export const commentTaskUpdate = defineUpdate<HumanTaskView, [CommentTaskRequest]>('tandem.commentTask');
export const labelTaskUpdate = defineUpdate<HumanTaskView, [LabelTaskRequest]>('tandem.labelTask');
/** Runs an attended bot from a task; resolves with the task, its context.bots holding the result. */
export const runTaskBotUpdate = defineUpdate<HumanTaskView, [RunTaskBotRequest]>('tandem.runTaskBot');
/** Records who cancels the run and why; the API then cancels the workflow itself (Temporal's own cancellation). */
export const cancelRunUpdate = defineUpdate<RunCancellation, [CancelRunRequest]>('tandem.cancelRun');
export const runViewQuery = defineQuery<RunView>('tandem.run');
export const taskQuery = defineQuery<HumanTaskView | null, [string]>('tandem.task');

/** Task ids embed their run id so a decision reaches Temporal even when the Redis index is down. */
export function taskIdFor(runId: string, seq: number): string {
  return `${runId}.t${seq}`;
}

export function runIdOfTask(taskId: string): string | undefined {
  return /^(.+)\.t\d+$/.exec(taskId)?.[1];
}
