// The engine's face to a process workflow: one ProcessRun per run wires the run's Update and
// Query handlers, keeps its journal and search attributes current, and offers the two primitives
// processes are made of: a human step and a bot step.
import {
  CancellationScope,
  condition,
  executeChild,
  allHandlersFinished,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  currentUpdateInfo,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
// Part of the SDK's workflow-safe surface: @temporalio/workflow itself is built on it.
import { type UpdateDefinition } from '@temporalio/common';
import type { InboxActivities, NotificationActivities } from '../../contract/activities';
import type { EventType } from '../../contract/events';
import { deadlineAfter, type RunSla } from './sla';
import { nextLocalTime } from './business-calendar';
import { runSlaBreached, watchTaskSla } from './sla-watch';
import { TaskBook } from './task-book';
import { RunJournal } from './run-journal';
import { botSteps, toBotFailure, type BotOutcome } from './bot-step';
import { TaskBotRuns } from './task-bot-runs';
import type { TaskDecision, TaskForm } from './task-form';
import * as m from './messages';
import type { HumanTaskView, RunBatchRef, RunView, TaskRequest } from './messages';
import { batchIdFor, type BatchItem, type BatchSummary, type ItemBatchStart } from './batch-messages';
import type { HumanStepResult, HumanTaskSpec } from './human-step';
import { RECEIVED_AT_MEMO, RUN_FACT_MEMO, RunFactsLog, type RunFact } from './run-facts';
import { qualityReview, type QualityReviewSpec, type QualityVerdict } from './quality-review';
import { CANCEL_COMPENSATES, CANCEL_STOPS_BOT_STEP, RunCancellationBook, type Compensation } from './run-cancellation';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';

const inbox = proxyActivities<InboxActivities>({
  startToCloseTimeout: '10 seconds',
  // The index is rebuildable, but a task missing from it is invisible to operators: keep trying.
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

const notices = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '10 seconds',
  // An SLA breach that is never announced is the failure this exists to prevent: keep trying.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const SA = SEARCH_ATTRIBUTES;

export interface ProcessRunOptions {
  process: string;
  client: string;
  businessRef: string;
  /** When the run should be done: within a time after it started, or by a local time. */
  sla?: RunSla;
  /** When the item was first recorded as received (the turnaround clock's start); default: the run's start. */
  receivedAt?: string;
}

/** The attended bots' activities on the unattended queue, as the blocking trigger ran them (histories before triggerTaskBot). */
const blockingTaskBots = botSteps<Record<string, (input: unknown) => Promise<unknown>>>();

export interface ItemBatchSpec {
  /** Name of the ItemHandler that works the items. */
  handler: string;
  /** Names the batch within the run's client and process (e.g. the pay period): a re-run with the same key skips items already done. */
  batchKey: string;
  items: BatchItem[];
  concurrency?: number;
  itemsPerGeneration?: number;
}

const nowIso = (): string => new Date().toISOString();
const snapshot = (view: HumanTaskView): HumanTaskView => JSON.parse(JSON.stringify(view)) as HumanTaskView;

export type { HumanStepResult, HumanTaskSpec, TaskBots } from './human-step';

export class ProcessRun {
  readonly runId = workflowInfo().workflowId;
  private readonly startedAt = new Date(workflowInfo().startTime).toISOString();
  readonly tasks: TaskBook;
  private readonly journal = new RunJournal();
  /** What reporting learns of this run: written into its memo as it closes. */
  readonly facts = new RunFactsLog();
  private readonly taskBots: TaskBotRuns;
  private readonly batches: RunBatchRef[] = [];
  /** Index updates and lease timers running beside the process; settled before the run closes. */
  private readonly background: Promise<unknown>[] = [];
  private readonly slaDueAt?: Date;
  private slaBreachedAt?: string;
  private readonly cancellation: RunCancellationBook;

  constructor(private readonly options: ProcessRunOptions) {
    const tasks = (this.tasks = new TaskBook({ runId: this.runId, ...options }));
    const cancellation = (this.cancellation = new RunCancellationBook(options.client));
    // A new handler adds no command, so runs recorded before it replay as they were.
    setHandler(m.cancelRunUpdate, (r) => cancellation.record(r, nowIso()), { validator: (r) => cancellation.check(r, this.journal.phase) });
    setHandler(m.runViewQuery, () => this.view());
    setHandler(m.taskQuery, (taskId) => tasks.get(taskId) ?? null);
    setHandler(m.completeTaskUpdate, (r) => this.afterComplete(tasks.complete(r, currentUpdateInfo()?.id ?? '', nowIso())), {
      validator: (r) => tasks.checkComplete(r, currentUpdateInfo()?.id),
    });
    this.onTask(m.claimTaskUpdate, (r) => tasks.checkClaim(r), (r) => this.watchLease(tasks.claim(r, uuid4(), nowIso())));
    this.onTask(m.renewLeaseUpdate, (r) => tasks.checkRenew(r), (r) => this.watchLease(tasks.renew(r, nowIso())));
    this.onTask(m.releaseTaskUpdate, (r) => tasks.checkRelease(r), (r) => tasks.release(r, nowIso()));
    this.onTask(m.commentTaskUpdate, (r) => tasks.checkComment(r), (r) => tasks.comment(r, nowIso()));
    this.onTask(m.labelTaskUpdate, (r) => tasks.checkLabel(r), (r) => tasks.label(r, nowIso()));
    this.onTask(m.reassignTaskUpdate, (r) => tasks.checkReassign(r), (r) => this.moved(tasks.reassign(r, nowIso())));
    this.onTask(m.escalateTaskUpdate, (r) => tasks.checkEscalate(r), (r) => this.moved(tasks.escalate(r, nowIso())));
    setHandler(m.runTaskBotUpdate, (r) => this.runTaskBot(r), { validator: (r) => tasks.checkBot(r) });
    this.taskBots = new TaskBotRuns({ tasks, facts: this.facts, sync: (view) => this.sync(view), beside: (work) => this.background.push(work) });
    upsertSearchAttributes([
      { key: SA.client, value: options.client },
      { key: SA.process, value: options.process },
      { key: SA.businessRef, value: options.businessRef },
    ]);
    this.publishPhase();
    // Patched: runs started before run facts existed replay without these memo commands.
    if (patched(RUN_FACT_MEMO)) upsertMemo({ [RECEIVED_AT_MEMO]: this.receivedAt });
    const started = new Date(this.startedAt);
    const sla = options.sla;
    this.slaDueAt = sla?.doneBy ? nextLocalTime(started, sla.doneBy.localTime, sla.doneBy.timeZone) : sla?.withinMs ? new Date(started.getTime() + sla.withinMs) : undefined;
    if (this.slaDueAt) this.watchRunSla(this.slaDueAt);
  }

  /** The item's key for QA draws: the same item draws the same way in every run. */
  get qaKey(): string {
    return `${this.options.process}:${this.options.client}:${this.options.businessRef}`;
  }

  private get receivedAt(): string {
    return this.options.receivedAt && this.options.receivedAt < this.startedAt ? this.options.receivedAt : this.startedAt;
  }

  step(name: string): void {
    this.journal.beginStep(name, nowIso());
  }

  /** Idempotency reference for a side effect of this run's step: stable across retries and restarts. */
  reference(step: string): string {
    return `${this.runId}:${step}`;
  }

  /**
   * Declares how to undo a step if the run is cancelled after it (or while it is under way): run
   * once, latest first, after the run's tasks have left the inbox. Declare it before the step
   * writes, so a write cut short by the cancel is looked for and undone too.
   */
  compensateOnCancel(compensation: Compensation): void {
    this.cancellation.declare(compensation);
  }

  /** Opens a human task, publishes it to the inbox index, and waits for the decision. */
  async humanTask<F extends TaskForm>(form: F, spec: HumanTaskSpec): Promise<HumanStepResult<F>> {
    const opened = new Date();
    const slaDue = spec.sla ? deadlineAfter(opened, spec.sla.withinMs, spec.sla.calendar).toISOString() : undefined;
    const task = this.tasks.open(form, spec, Object.keys(spec.bots ?? {}), opened.toISOString(), slaDue);
    if (spec.bots) this.taskBots.book.offer(task.taskId, spec.bots);
    this.journal.wait({ kind: 'human', taskId: task.taskId, team: task.team, assignee: task.assignee, since: task.createdAt });
    this.publishPhase();
    const placed = await inbox.syncTask(snapshot(task));
    if (placed.assignTo && task.status === 'open' && !task.assignee) {
      this.sync(this.tasks.assign(task.taskId, placed.assignTo, nowIso()));
      this.announceAssignment(task);
    }
    if (spec.sla) this.background.push(watchTaskSla(this, task.taskId, opened, spec.sla).catch(() => undefined));
    // condition() rather than a plain promise: it is what lets a cancelled run stop waiting.
    await condition(() => this.tasks.decisionOf(task.taskId) !== undefined);
    const decision = this.tasks.decisionOf(task.taskId)!;
    this.journal.resume();
    this.publishPhase();
    return { task, decision: { action: decision.action, data: decision.data } as TaskDecision<F>, decidedBy: decision.decidedBy };
  }

  /** Runs a bot activity; business exceptions and exhausted system faults come back as values. */
  async bot<I, O>(name: string, fn: (input: I) => Promise<O>, input: I): Promise<BotOutcome<O>> {
    this.journal.wait({ kind: 'bot', bot: name, since: nowIso() });
    this.publishPhase();
    const began = Date.now();
    try {
      const value = await fn(input);
      this.facts.bot(Date.now() - began);
      return { ok: true, value };
    } catch (err) {
      // A cancelled run stops here; before the patch, the cancelled step came back as a system fault.
      if (isCancellation(err) && patched(CANCEL_STOPS_BOT_STEP)) throw err;
      const failure = toBotFailure(err);
      this.facts.bot(Date.now() - began, failure);
      return { ok: false, failure };
    } finally {
      this.journal.resume();
    }
  }

  /** Four-eyes: sends a completed item to QA when the process's sampling policy draws it. */
  qualityReview(spec: QualityReviewSpec): Promise<QualityVerdict | undefined> {
    return qualityReview(this, spec);
  }

  /** Works a list of items through an item batch (a child workflow with its own bounded history); resolves when every item is settled. */
  async itemBatch(spec: ItemBatchSpec): Promise<BatchSummary> {
    const { handler, batchKey, items, concurrency, itemsPerGeneration } = spec;
    const batchId = batchIdFor(this.options.process, this.options.client, batchKey);
    this.batches.push({ batchId, handler, batchKey });
    this.journal.wait({ kind: 'batch', batchId, since: nowIso() });
    this.publishPhase();
    try {
      return await executeChild<(input: ItemBatchStart) => Promise<BatchSummary>>('itemBatch', {
        workflowId: batchId,
        args: [{ batchKey, client: this.options.client, process: this.options.process, handler, items, concurrency, itemsPerGeneration }],
      });
    } finally {
      this.journal.resume();
    }
  }

  /** Runs the process body, recording its outcome, and tidies up on failure or cancellation. */
  async execute<T>(body: () => Promise<T>): Promise<T> {
    try {
      const outcome = await body();
      this.journal.finish('completed', nowIso(), outcome);
      return outcome;
    } catch (err) {
      const cancelled = isCancellation(err);
      this.journal.finish(cancelled ? 'cancelled' : 'failed', nowIso(), { error: (err as Error).message });
      await CancellationScope.nonCancellable(async () => {
        // Withdrawn first: the tasks leave every inbox before any compensation starts.
        await Promise.all(this.tasks.cancelOpen(nowIso()).map((t) => inbox.syncTask(snapshot(t))));
        if (!cancelled) this.emit('run.failed', 'run', { error: (err as Error).message, step: this.journal.steps.at(-1)?.step });
        else if (patched(CANCEL_COMPENSATES)) {
          this.cancellation.recordUnannounced(nowIso());
          await this.cancellation.compensate(nowIso);
        }
      });
      throw err;
    } finally {
      this.publishPhase();
      if (patched(RUN_FACT_MEMO)) upsertMemo({ [RUN_FACT_MEMO]: this.fact() });
      await CancellationScope.nonCancellable(() => Promise.allSettled(this.background));
      await condition(allHandlersFinished);
    }
  }

  /** The run's facts for reporting, as of now. */
  fact(): RunFact {
    const phase = this.journal.phase;
    const outcome = this.journal.outcome as { kind?: unknown } | undefined;
    return this.facts.build(
      {
        runId: this.runId,
        client: this.options.client,
        process: this.options.process,
        businessRef: this.options.businessRef,
        receivedAt: this.receivedAt,
        startedAt: this.startedAt,
        closedAt: nowIso(),
        status: phase === 'failed' || phase === 'cancelled' ? phase : 'completed',
        ...(typeof outcome?.kind === 'string' ? { outcome: outcome.kind } : {}),
        slaBreached: this.slaBreachedAt !== undefined,
      },
      this.tasks.allTasks(),
    );
  }

  view(): RunView {
    const openTasks = this.tasks.openTasks();
    const waitingOn = this.journal.waitingOn;
    const waitingTask = waitingOn?.kind === 'human' ? this.tasks.get(waitingOn.taskId) : undefined;
    return {
      runId: this.runId,
      process: this.options.process,
      client: this.options.client,
      businessRef: this.options.businessRef,
      phase: this.journal.phase,
      step: this.journal.currentStep,
      // Who holds the task now: it may have been claimed, reassigned or escalated since it opened.
      waitingOn: waitingTask
        ? { kind: 'human', taskId: waitingTask.taskId, team: waitingTask.team, assignee: waitingTask.claim?.operatorId ?? waitingTask.assignee, since: waitingTask.createdAt }
        : waitingOn,
      startedAt: this.startedAt,
      sla: this.slaDueAt ? { dueAt: this.slaDueAt.toISOString(), ...(this.slaBreachedAt ? { breachedAt: this.slaBreachedAt } : {}) } : undefined,
      steps: this.journal.steps,
      openTasks,
      ...(this.batches.length > 0 ? { batches: [...this.batches] } : {}),
      outcome: this.journal.outcome,
      ...(this.cancellation.current ? { cancellation: this.cancellation.current } : {}),
    };
  }

  /** Registers a task Update whose guard is also its validator, and mirrors the result to the index. */
  private onTask<R extends TaskRequest>(def: UpdateDefinition<HumanTaskView, [R]>, check: (r: R) => void, apply: (r: R) => HumanTaskView): void {
    setHandler(def as UpdateDefinition<HumanTaskView, [R]>, (r: R) => this.sync(apply(r)), { validator: check });
  }

  private afterComplete(result: m.CompleteTaskResult): m.CompleteTaskResult {
    if (!result.replayed) this.sync(this.tasks.get(result.taskId)!);
    return result;
  }

  private moved({ view, fromTeam }: { view: HumanTaskView; fromTeam: string }): HumanTaskView {
    if (view.assignee && view.events.at(-1)?.event === 'reassigned') this.announceAssignment(view);
    return this.sync(view, fromTeam !== view.team ? fromTeam : undefined);
  }

  private announceAssignment(view: HumanTaskView): void {
    this.emit('task.assigned', `${view.taskId}:${view.version}`, { assignee: view.assignee, team: view.team, title: view.title, businessRef: view.businessRef }, view.taskId);
  }

  /** Raises a business event beside the run (awaited before the run closes, so none is lost). */
  emit(type: EventType, key: string, data: Record<string, unknown>, taskId?: string): void {
    const event = {
      id: `${this.runId}:${type}:${key}`,
      type,
      client: this.options.client,
      process: this.options.process,
      runId: this.runId,
      ...(taskId ? { taskId } : {}),
      at: nowIso(),
      data,
    };
    this.background.push(CancellationScope.nonCancellable(() => notices.emitEvent(event)).catch(() => undefined));
  }

  private watchRunSla(dueAt: Date): void {
    const finished = () => ['completed', 'failed', 'cancelled'].includes(this.journal.phase);
    const watch = async () => {
      if (!(await runSlaBreached(dueAt, finished))) return;
      this.slaBreachedAt = nowIso();
      this.emit('run.sla-breached', 'run', { dueAt: dueAt.toISOString(), step: this.journal.currentStep, businessRef: this.options.businessRef });
    };
    this.background.push(watch().catch(() => undefined));
  }

  /** The blocking trigger of old: the bot ran inside the Update. Only histories that hold it still take this path. */
  private async runTaskBot(request: m.RunTaskBotRequest): Promise<HumanTaskView> {
    const offer = this.taskBots.book.offerOf(request.taskId, request.bot)!;
    const outcome = await this.bot(request.bot, (input: Record<string, unknown>) => blockingTaskBots[offer.declaration.activity]!(input), offer.input);
    const result = outcome.ok ? { ok: true, result: outcome.value } : { ok: false, failure: outcome.failure };
    return this.sync(this.tasks.recordBotResult(request.taskId, request.bot, request.actor.operatorId, result, nowIso()));
  }

  /** Mirrors the task into the inbox index beside whatever the run does next. */
  sync(view: HumanTaskView, fromTeam?: string): HumanTaskView {
    this.publishPhase();
    this.background.push(
      CancellationScope.nonCancellable(() => inbox.syncTask(snapshot(view), fromTeam ? { fromTeam } : {})).catch(() => undefined),
    );
    return view;
  }

  /** Returns the task to its queue when the lease lapses; a renewal moves the deadline. */
  private watchLease(view: HumanTaskView): HumanTaskView {
    const leaseId = view.claim!.leaseId;
    const watch = async (): Promise<void> => {
      for (;;) {
        const claim = this.tasks.get(view.taskId)?.claim;
        if (!claim || claim.leaseId !== leaseId) return;
        const left = Date.parse(claim.until) - Date.now();
        if (left <= 0 || !(await condition(() => this.tasks.get(view.taskId)?.claim?.until !== claim.until, left))) {
          const expired = this.tasks.expireLease(view.taskId, leaseId, nowIso());
          if (expired) this.sync(expired);
          if (expired || !this.tasks.get(view.taskId)?.claim) return;
        }
      }
    };
    this.background.push(watch().catch(() => undefined));
    return this.sync(view);
  }

  private publishPhase(): void {
    const open = this.tasks.openTasks();
    upsertSearchAttributes([
      { key: SA.status, value: this.journal.phase },
      { key: SA.teams, value: [...new Set(open.map((t) => t.team))] },
      { key: SA.openTasks, value: open.length },
    ]);
  }
}
