// The facts a run leaves for reporting: when its item was received and delivered, who touched it,
// how long operators and bots worked on it, its exceptions and its QA review. Collected as the run
// goes and written into the run's memo as it closes (same workflow task as the close), so the
// reporting store can always be rebuilt from Temporal's visibility records. Pure and deterministic.
import type { HumanTaskView } from './messages';
import type { QaChoice } from './service-level';

export const RUN_FACT_MEMO = 'tandemFact';
export const RECEIVED_AT_MEMO = 'tandemReceivedAt';
export const RUN_FACT_VERSION = 1;

export interface QaFact extends QaChoice {
  taskId?: string;
  result?: 'pass' | 'fail';
  reason?: string;
  corrected?: boolean;
  reviewedBy?: string;
}

export interface RunFact {
  v: typeof RUN_FACT_VERSION;
  runId: string;
  client: string;
  process: string;
  businessRef: string;
  /** Clock start: when the item was first recorded as received (not when a bot picked it up). */
  receivedAt: string;
  startedAt: string;
  /** Clock stop: when the run closed (its deliverable posted, or it ended otherwise). */
  closedAt: string;
  status: 'completed' | 'failed' | 'cancelled';
  /** The outcome's `kind` when the process returns one (e.g. adjudicated, skipped). */
  outcome?: string;
  /** Human tasks other than QA reviews: any breaks straight-through processing. */
  humanTasks: number;
  handleMs: number;
  waitMs: number;
  botMs: number;
  botSteps: number;
  botFailures: number;
  /** Reason codes, each once (a retry loop does not inflate the count). */
  businessExceptions: string[];
  systemExceptions: string[];
  amountCents?: number;
  slaBreached: boolean;
  qa?: QaFact;
}

const ms = (a: string, b: string): number => Math.max(0, Date.parse(b) - Date.parse(a));

/** Active time of an operator on a task: claim → decision or release; lapsed leases count nothing. */
export function handleTimeOf(task: HumanTaskView): { handleMs: number; waitMs: number } {
  let handleMs = 0;
  let claimedAt: string | undefined;
  let firstTouch: string | undefined;
  for (const e of task.events) {
    if (e.event === 'claimed') {
      claimedAt ??= e.at;
      firstTouch ??= e.at;
    } else if (claimedAt && ['completed', 'released', 'reassigned', 'escalated', 'cancelled'].includes(e.event)) {
      handleMs += ms(claimedAt, e.at);
      claimedAt = undefined;
    } else if (e.event === 'lease-expired') claimedAt = undefined;
    if (e.event === 'completed') firstTouch ??= e.at;
  }
  return { handleMs, waitMs: firstTouch ? ms(task.createdAt, firstTouch) : 0 };
}

/** Gathers a run's facts as it goes; ProcessRun owns one. */
export class RunFactsLog {
  private botMs = 0;
  private botSteps = 0;
  private botFailures = 0;
  private readonly business = new Set<string>();
  private readonly system = new Set<string>();
  private readonly qaTasks = new Set<string>();
  qa?: QaFact;
  amountCents?: number;

  bot(elapsedMs: number, failure?: { kind: 'business' | 'system'; code: string }): void {
    this.botMs += elapsedMs;
    this.botSteps++;
    if (!failure) return;
    this.botFailures++;
    (failure.kind === 'business' ? this.business : this.system).add(failure.code);
  }

  qaTask(taskId: string): void {
    this.qaTasks.add(taskId);
  }

  build(base: Omit<RunFact, 'v' | 'humanTasks' | 'handleMs' | 'waitMs' | 'botMs' | 'botSteps' | 'botFailures' | 'businessExceptions' | 'systemExceptions' | 'qa' | 'amountCents'>, tasks: HumanTaskView[]): RunFact {
    let handleMs = 0;
    let waitMs = 0;
    for (const task of tasks) {
      const t = handleTimeOf(task);
      handleMs += t.handleMs;
      waitMs += t.waitMs;
    }
    return {
      v: RUN_FACT_VERSION,
      ...base,
      humanTasks: tasks.filter((t) => !this.qaTasks.has(t.taskId) && t.status !== 'cancelled').length,
      handleMs,
      waitMs,
      botMs: this.botMs,
      botSteps: this.botSteps,
      botFailures: this.botFailures,
      businessExceptions: [...this.business].slice(0, 20),
      systemExceptions: [...this.system].slice(0, 20),
      ...(this.amountCents !== undefined ? { amountCents: this.amountCents } : {}),
      ...(this.qa ? { qa: this.qa } : {}),
    };
  }
}
