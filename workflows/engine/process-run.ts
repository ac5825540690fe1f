// The engine's face to a process workflow: one ProcessRun per run wires the run's Update and
// Query handlers, keeps its journal and search attributes current, and offers the two primitives
// processes are made of: a human step and a bot step.
import {
  CancellationScope,
  condition,
  allHandlersFinished,
  isCancellation,
  proxyActivities,
  setHandler,
  currentUpdateInfo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
// Part of the SDK's workflow-safe surface: @temporalio/workflow itself is built on it.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { InboxActivities } from '../../activities/inbox';
import { TaskBook, type OpenTaskSpec } from './task-book';
import { RunJournal } from './run-journal';
import { toBotFailure, type BotOutcome } from './bot-step';
import type { TaskDecision, TaskForm } from './task-form';
import { completeTaskUpdate, runViewQuery, taskQuery, type HumanTaskView, type RecordedDecision, type RunView } from './messages';

const inbox = proxyActivities<InboxActivities>({
  startToCloseTimeout: '10 seconds',
  // The index is rebuildable, but a task missing from it is invisible to operators: keep trying.
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});

const SA = {
  client: defineSearchAttributeKey('TandemClient', SearchAttributeType.KEYWORD),
  process: defineSearchAttributeKey('TandemProcess', SearchAttributeType.KEYWORD),
  businessRef: defineSearchAttributeKey('TandemBusinessRef', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('TandemRunStatus', SearchAttributeType.KEYWORD),
  teams: defineSearchAttributeKey('TandemTeams', SearchAttributeType.KEYWORD_LIST),
  openTasks: defineSearchAttributeKey('TandemOpenTasks', SearchAttributeType.INT),
};

export interface ProcessRunOptions {
  process: string;
  client: string;
  businessRef: string;
  /** Run SLA: the run should be finished this long after it started. */
  slaMs?: number;
}

export interface HumanStepResult<F extends TaskForm> {
  task: HumanTaskView;
  decision: TaskDecision<F>;
  decidedBy: RecordedDecision['decidedBy'];
}

const nowIso = (): string => new Date().toISOString();

export class ProcessRun {
  readonly runId = workflowInfo().workflowId;
  private readonly startedAt = new Date(workflowInfo().startTime).toISOString();
  private readonly tasks: TaskBook;
  private readonly journal = new RunJournal();
  /** Index updates running beside the process; awaited before the run closes. */
  private readonly background: Promise<unknown>[] = [];

  constructor(private readonly options: ProcessRunOptions) {
    this.tasks = new TaskBook({ runId: this.runId, ...options });
    setHandler(runViewQuery, () => this.view());
    setHandler(taskQuery, (taskId) => this.tasks.get(taskId) ?? null);
    setHandler(completeTaskUpdate, (request) => this.tasks.complete(request, currentUpdateInfo()?.id ?? '', nowIso()), {
      validator: (request) => this.tasks.validate(request, currentUpdateInfo()?.id),
    });
    upsertSearchAttributes([
      { key: SA.client, value: options.client },
      { key: SA.process, value: options.process },
      { key: SA.businessRef, value: options.businessRef },
    ]);
    this.publishPhase();
  }

  step(name: string): void {
    this.journal.beginStep(name, nowIso());
  }

  /** Idempotency reference for a side effect of this run's step: stable across retries and restarts. */
  reference(step: string): string {
    return `${this.runId}:${step}`;
  }

  /** Opens a human task, publishes it to the inbox index, and waits for the decision. */
  async humanTask<F extends TaskForm>(form: F, spec: OpenTaskSpec): Promise<HumanStepResult<F>> {
    const task = this.tasks.open(form, spec, nowIso());
    this.journal.wait({ kind: 'human', taskId: task.taskId, team: task.team, assignee: task.assignee, since: task.createdAt });
    this.publishPhase();
    await inbox.publishTask(task);
    // condition() rather than a plain promise: it is what lets a cancelled run stop waiting.
    await condition(() => this.tasks.decisionOf(task.taskId) !== undefined);
    const decision = this.tasks.decisionOf(task.taskId)!;
    this.journal.resume();
    this.publishPhase();
    // Retracting from the index runs beside whatever the process does next: a decision must not
    // wait on Redis before the run moves on.
    this.background.push(
      CancellationScope.nonCancellable(() => inbox.retractTask({ taskId: task.taskId, team: task.team, reason: 'completed' })),
    );
    return { task, decision: { action: decision.action, data: decision.data } as TaskDecision<F>, decidedBy: decision.decidedBy };
  }

  /** Runs a bot activity; business exceptions and exhausted system faults come back as values. */
  async bot<I, O>(name: string, fn: (input: I) => Promise<O>, input: I): Promise<BotOutcome<O>> {
    this.journal.wait({ kind: 'bot', bot: name, since: nowIso() });
    this.publishPhase();
    try {
      return { ok: true, value: await fn(input) };
    } catch (err) {
      return { ok: false, failure: toBotFailure(err) };
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
        const orphaned = this.tasks.cancelOpen();
        await Promise.all(orphaned.map((t) => inbox.retractTask({ taskId: t.taskId, team: t.team, reason: 'cancelled' })));
      });
      throw err;
    } finally {
      this.publishPhase();
      await CancellationScope.nonCancellable(() => Promise.allSettled(this.background));
      await condition(allHandlersFinished);
    }
  }

  view(): RunView {
    const slaMs = this.options.slaMs;
    return {
      runId: this.runId,
      process: this.options.process,
      client: this.options.client,
      businessRef: this.options.businessRef,
      phase: this.journal.phase,
      step: this.journal.currentStep,
      waitingOn: this.journal.waitingOn,
      startedAt: this.startedAt,
      sla: slaMs ? { dueAt: new Date(Date.parse(this.startedAt) + slaMs).toISOString() } : undefined,
      steps: this.journal.steps,
      openTasks: this.tasks.openTasks(),
      outcome: this.journal.outcome,
    };
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
