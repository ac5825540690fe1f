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
}

export type TaskStatus = 'open' | 'completed' | 'cancelled';

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
  decision?: RecordedDecision;
}

export interface RecordedDecision {
  action: string;
  data: unknown;
  decidedBy: { operatorId: string; team: string; client: string };
  decidedAt: string;
  updateId: string;
}

export interface CompleteTaskRequest {
  taskId: string;
  action: string;
  data: unknown;
  actor: Actor;
}

export interface CompleteTaskResult {
  taskId: string;
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
  | { kind: 'timer'; until: string; since: string };

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
  sla?: { dueAt: string };
  steps: RunStepView[];
  openTasks: HumanTaskView[];
  outcome?: unknown;
}

export const completeTaskUpdate = defineUpdate<CompleteTaskResult, [CompleteTaskRequest]>('tandem.completeTask');
export const runViewQuery = defineQuery<RunView>('tandem.run');
export const taskQuery = defineQuery<HumanTaskView | null, [string]>('tandem.task');

/** Task ids embed their run id so a decision reaches Temporal even when the Redis index is down. */
export function taskIdFor(runId: string, seq: number): string {
  return `${runId}.t${seq}`;
}

export function runIdOfTask(taskId: string): string | undefined {
  return /^(.+)\.t\d+$/.exec(taskId)?.[1];
}
