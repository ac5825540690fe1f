// The messages every Tandem run answers, and their payload types. Both the workflow (which sets
// the handlers) and the API (which calls them) import this module, so the two cannot disagree.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

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
    | 'bot-queued'
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
  /** Attended bot runs operators started from this task, oldest first (results in `context.bots`). */
  attendedRuns?: AttendedRunView[];
}

export type AttendedRunStatus = 'queued' | 'running' | 'done' | 'failed';

/** One attended bot run: queued by the trigger, running once a bot worker took it, then done or failed. */
export interface AttendedRunView {
  /** `<taskId>.b<n>`; also the bot activity's id in the run's history. */
  attendedRunId: string;
  taskId: string;
  bot: string;
  requestedBy: string;
  status: AttendedRunStatus;
  queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** The bot's hard deadline: it is stopped this long after it started. */
  deadlineMs: number;
  /** The bot's progress steps as it reported them. */
  steps: Array<{ step: string; at: string }>;
  /** The bot's last progress report. */
  progress?: Record<string, unknown>;
  /** Why it failed, with the evidence (screenshot, trace) when the bot left any. */
  failure?: { kind: 'business' | 'system'; code: string; message: string; details: Record<string, unknown>; evidence?: { screenshot?: string; trace?: string } };
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

export interface TriggerTaskBotRequest extends TaskRequest {
  bot: string;
  /** What the operator sends the bot, checked against the bot's declared operator input. */
  input?: Record<string, unknown>;
}

export interface TriggerTaskBotResult {
  attendedRunId: string;
  taskId: string;
  bot: string;
  status: AttendedRunStatus;
  /** False when the trigger joined the bot's run already queued or running on the task. */
  created: boolean;
}

/** What the API learns before it sends a trigger: whether it would join, start, or be refused. */
export type TriggerPreview =
  | { kind: 'join'; run: AttendedRunView }
  | { kind: 'replay'; result: TriggerTaskBotResult }
  | { kind: 'start' }
  | { kind: 'refused'; type: string; message: string; details: unknown[] };

/** Sent by the bot worker as an attended run starts and moves on. */
export interface AttendedBotReport {
  attendedRunId: string;
  attempt: number;
  progress?: Record<string, unknown>;
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
/** Before attended runs were asynchronous: ran the bot inside the Update. Kept for histories that hold it; the API no longer sends it. */
export const runTaskBotUpdate = defineUpdate<HumanTaskView, [RunTaskBotRequest]>('tandem.runTaskBot');
/** Queues an attended bot run from a task (or joins the one running) and answers at once. */
export const triggerTaskBotUpdate = defineUpdate<TriggerTaskBotResult, [TriggerTaskBotRequest]>('tandem.triggerTaskBot');
/** The guard of triggerTaskBot as a read, for several triggers at once (the API batches the ones that
 *  arrive together): lets the API answer a join without writing history. The updateId replays a keyed trigger. */
export const previewTaskBotsQuery = defineQuery<TriggerPreview[], [Array<{ request: TriggerTaskBotRequest; updateId?: string }>]>('tandem.previewTaskBots');
/** The API joined a keyed trigger to the running run without an Update: remember that answer for the key's retries. */
export const rememberBotTriggerSignal = defineSignal<[{ request: TriggerTaskBotRequest; updateId: string; result: TriggerTaskBotResult }]>('tandem.rememberBotTrigger');
export const attendedBotReportSignal = defineSignal<[AttendedBotReport]>('tandem.attendedBotReport');
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
