// Attended bots: a bot an operator starts from a task while they work it. The trigger only
// records the run (an Update that answers at once); the run itself is an activity on the bot
// workers' attended queue, bounded by the bot's declared deadline, reported back into the task.
// Plain state and rules here; ProcessRun wires them to Temporal.
import { ApplicationFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import { BOT_TASK_QUEUE, DEFAULT_BOT_OPTIONS, toBotFailure, type BotFailure, type BotOutcome } from './bot-step';
import { TaskFailureType } from './failures';
import type { AttendedRunView, HumanTaskView, TriggerTaskBotRequest, TriggerTaskBotResult } from './messages';

/** Attended runs go ahead of unattended work: the bot workers poll this queue with slots of its own. */
export const ATTENDED_BOT_TASK_QUEUE = `${BOT_TASK_QUEUE}-attended`;
/** A person is waiting: a bot that declares no deadline is stopped after this. */
export const DEFAULT_ATTENDED_DEADLINE_MS = 60_000;
/** Temporal's start-to-close is the deadline plus this: the bot worker stops the bot at the deadline
 *  itself and has this long to save the evidence and close the context before Temporal gives up. */
export const ATTENDED_EVIDENCE_GRACE_MS = 5_000;
/** How long an attended run may wait for a free attended slot before it is reported as failed. */
export const ATTENDED_QUEUE_ALLOWANCE_MS = 30_000;
/** Attended runs one task may start in all (each is a bot execution and a few history events). */
export const MAX_ATTENDED_RUNS_PER_TASK = 10;
/** Attended runs one operator may start on one task. */
export const MAX_ATTENDED_RUNS_PER_OPERATOR = 5;

/** What a process declares about an attended bot (in its folder's bots.ts). */
export interface AttendedBotDeclaration<A extends object = object> {
  /** The bot activity it runs (one of the process's bot steps). */
  activity: keyof A & string;
  /** What the button says. */
  title: string;
  /** Hard deadline of one run (start to close); default DEFAULT_ATTENDED_DEADLINE_MS. */
  deadlineMs?: number;
  /** What the operator may send with the trigger (merged into the bot's input); default nothing. */
  operatorInput?: z.ZodType<Record<string, unknown>>;
}

export function defineAttendedBot<A extends object>(declaration: AttendedBotDeclaration<A>): AttendedBotDeclaration<A> {
  return declaration;
}

/** A declared attended bot offered on one task, with the input the run gives it. */
export interface AttendedBotOffer {
  declaration: AttendedBotDeclaration;
  input: Record<string, unknown>;
}

export function offerBot<A extends object>(declaration: AttendedBotDeclaration<A>, input: Record<string, unknown>): AttendedBotOffer {
  return { declaration: declaration as AttendedBotDeclaration, input };
}

export const deadlineOf = (offer: AttendedBotOffer): number => offer.declaration.deadlineMs ?? DEFAULT_ATTENDED_DEADLINE_MS;

const NO_INPUT = z.object({}).strict();

function refuse(type: TaskFailureType, message: string, details?: unknown): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

const active = (r: AttendedRunView): boolean => r.status === 'queued' || r.status === 'running';

/** The attended runs of one workflow run, per task, and the answers given to each trigger. */
export class AttendedBook {
  private readonly offers = new Map<string, Record<string, AttendedBotOffer>>();
  /** Update id → the answer it got: a retried trigger (same Idempotency-Key) gets the same answer. */
  private readonly answers = new Map<string, TriggerTaskBotResult>();

  offer(taskId: string, bots: Record<string, AttendedBotOffer>): void {
    this.offers.set(taskId, bots);
  }

  offerOf(taskId: string, bot: string): AttendedBotOffer | undefined {
    return this.offers.get(taskId)?.[bot];
  }

  answerTo(updateId: string | undefined): TriggerTaskBotResult | undefined {
    return updateId ? this.answers.get(updateId) : undefined;
  }

  /** Keeps the answer a trigger got without an Update (a keyed join), unless the key already has one. */
  remember(task: HumanTaskView, updateId: string, result: TriggerTaskBotResult): void {
    if (this.answers.has(updateId) || !task.attendedRuns?.some((r) => r.attendedRunId === result.attendedRunId)) return;
    this.answers.set(updateId, { ...result, created: false });
  }

  /** The run of this bot already queued or running on the task, which a second trigger joins. */
  activeRun(task: HumanTaskView, bot: string): AttendedRunView | undefined {
    return task.attendedRuns?.find((r) => r.bot === bot && active(r));
  }

  /** Rules beyond the task's own (scope, lease, bot offered): the operator's input and the limits. */
  check(task: HumanTaskView, request: TriggerTaskBotRequest): void {
    const offer = this.offerOf(task.taskId, request.bot);
    if (!offer) refuse(TaskFailureType.InvalidRequest, `This task offers no bot ${request.bot}`, { field: 'bot' });
    const parsed = (offer.declaration.operatorInput ?? NO_INPUT).safeParse(request.input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      refuse(TaskFailureType.InvalidRequest, `Bot ${request.bot}: ${issue.message}`, { field: ['input', ...issue.path.map(String)].join('.') });
    }
    if (this.activeRun(task, request.bot)) return; // joins the running one: no new execution
    const runs = task.attendedRuns ?? [];
    if (runs.length >= MAX_ATTENDED_RUNS_PER_TASK) {
      refuse(TaskFailureType.TooManyAttendedRuns, `Task ${task.taskId} has run its ${MAX_ATTENDED_RUNS_PER_TASK} attended bots`, { limit: MAX_ATTENDED_RUNS_PER_TASK, scope: 'task' });
    }
    const mine = runs.filter((r) => r.requestedBy === request.actor.operatorId).length;
    if (mine >= MAX_ATTENDED_RUNS_PER_OPERATOR) {
      refuse(TaskFailureType.TooManyAttendedRuns, `${request.actor.operatorId} has started ${MAX_ATTENDED_RUNS_PER_OPERATOR} attended bots on task ${task.taskId}`, {
        limit: MAX_ATTENDED_RUNS_PER_OPERATOR,
        scope: 'operator',
      });
    }
  }

  /** Joins the bot's active run on the task, or queues a new one; `created` says which. */
  trigger(task: HumanTaskView, request: TriggerTaskBotRequest, updateId: string, now: string): { run: AttendedRunView; result: TriggerTaskBotResult } {
    const joined = this.activeRun(task, request.bot);
    const run: AttendedRunView = joined ?? {
      attendedRunId: `${task.taskId}.b${(task.attendedRuns?.length ?? 0) + 1}`,
      taskId: task.taskId,
      bot: request.bot,
      requestedBy: request.actor.operatorId,
      status: 'queued',
      queuedAt: now,
      deadlineMs: deadlineOf(this.offerOf(task.taskId, request.bot)!),
      steps: [],
    };
    if (!joined) task.attendedRuns = [...(task.attendedRuns ?? []), run];
    const result: TriggerTaskBotResult = { attendedRunId: run.attendedRunId, taskId: task.taskId, bot: run.bot, status: run.status, created: !joined };
    this.answers.set(updateId, result);
    return { run, result };
  }

  /** The bot worker says the run started or moved on; a late report after the end changes nothing. */
  progress(run: AttendedRunView, report: { attempt?: number; progress?: Record<string, unknown> }, now: string): boolean {
    if (!active(run)) return false;
    if (run.status === 'queued') Object.assign(run, { status: 'running', startedAt: now });
    const step = typeof report.progress?.step === 'string' ? report.progress.step.slice(0, 120) : undefined;
    if (step && run.steps.at(-1)?.step !== step && run.steps.length < 50) run.steps.push({ step, at: now });
    if (report.progress) run.progress = report.progress;
    return true;
  }

  finish(run: AttendedRunView, outcome: { ok: true; value: unknown } | { ok: false; failure: BotFailure }, now: string): void {
    Object.assign(run, { status: outcome.ok ? 'done' : 'failed', endedAt: now, ...(outcome.ok ? {} : { failure: outcome.failure }) });
  }
}

type AnyBots = Record<string, (input: unknown) => Promise<unknown>>;

/** Runs one attended bot on the attended queue: one attempt (the person sees a failure and may try
 *  again), stopped at its deadline by the bot worker's hard-deadline guard (which saves the evidence
 *  and closes the browser context), and by Temporal's start-to-close timeout a grace later if the
 *  worker itself is stuck or gone. */
export async function executeAttended(run: AttendedRunView, offer: AttendedBotOffer, operatorInput: Record<string, unknown>): Promise<BotOutcome<unknown>> {
  const bots = proxyActivities<AnyBots>({
    ...DEFAULT_BOT_OPTIONS,
    taskQueue: ATTENDED_BOT_TASK_QUEUE,
    // The run's id is the activity's: the bot worker reports progress under it, and history shows it.
    activityId: run.attendedRunId,
    startToCloseTimeout: run.deadlineMs + ATTENDED_EVIDENCE_GRACE_MS,
    scheduleToCloseTimeout: run.deadlineMs + ATTENDED_EVIDENCE_GRACE_MS + ATTENDED_QUEUE_ALLOWANCE_MS,
    retry: { ...DEFAULT_BOT_OPTIONS.retry, maximumAttempts: 1 },
  });
  try {
    return { ok: true, value: await bots[offer.declaration.activity]!({ ...offer.input, ...operatorInput }) };
  } catch (err) {
    if (isCancellation(err)) return { ok: false, failure: { kind: 'system', code: 'Cancelled', message: 'The run was cancelled before the bot finished', details: {} } };
    return { ok: false, failure: toBotFailure(err) };
  }
}
