// The attended bots of one run, wired to Temporal: the trigger Update (validator = guard; handler
// records the queued run and answers at once), the guard as a batched Query, the bot worker's
// progress reports and the API's remembered answers as Signals, and the bot run itself beside the
// process. The rules are AttendedBook's; this class is the plumbing between it and ProcessRun.
import { ApplicationFailure, currentUpdateInfo, setHandler } from '@temporalio/workflow';
import { AttendedBook, executeAttended } from './attended-bot';
import * as m from './messages';
import type { HumanTaskView } from './messages';
import type { RunFactsLog } from './run-facts';
import type { TaskBook } from './task-book';

const nowIso = (): string => new Date().toISOString();

export interface TaskBotHost {
  tasks: TaskBook;
  facts: RunFactsLog;
  /** Mirrors the task into the inbox index. */
  sync(view: HumanTaskView): HumanTaskView;
  /** Work the run awaits before it closes. */
  beside(work: Promise<unknown>): void;
}

export class TaskBotRuns {
  readonly book = new AttendedBook();

  constructor(private readonly host: TaskBotHost) {
    setHandler(m.triggerTaskBotUpdate, (r) => this.triggerBot(r, currentUpdateInfo()?.id ?? ''), { validator: (r) => this.checkTrigger(r, currentUpdateInfo()?.id) });
    setHandler(m.previewTaskBotsQuery, (triggers) => triggers.map(({ request, updateId }) => this.previewTrigger(request, updateId)));
    setHandler(m.attendedBotReportSignal, (report) => this.onBotReport(report));
    setHandler(m.rememberBotTriggerSignal, ({ request, updateId, result }) => {
      // A signal cannot be refused: one from outside the task's scope is simply not kept.
      const task = host.tasks.get(request.taskId);
      if (task && request.actor.clients.includes(task.client) && request.actor.teams.includes(task.team)) this.book.remember(task, updateId, result);
    });
  }

  private checkTrigger(request: m.TriggerTaskBotRequest, updateId: string | undefined): void {
    // A retried trigger (same Idempotency-Key) replays its first answer, whatever happened since.
    if (this.book.answerTo(updateId) && this.host.tasks.visible(request)) return;
    this.host.tasks.checkBot(request);
    this.book.check(this.host.tasks.get(request.taskId)!, request);
  }

  private previewTrigger(request: m.TriggerTaskBotRequest, updateId: string | undefined): m.TriggerPreview {
    try {
      this.checkTrigger(request, updateId);
    } catch (err) {
      if (err instanceof ApplicationFailure) return { kind: 'refused', type: err.type ?? 'Error', message: err.message, details: (err.details ?? []) as unknown[] };
      throw err;
    }
    const replay = this.book.answerTo(updateId);
    if (replay) return { kind: 'replay', result: replay };
    const run = this.book.activeRun(this.host.tasks.get(request.taskId)!, request.bot);
    return run ? { kind: 'join', run } : { kind: 'start' };
  }

  private triggerBot(request: m.TriggerTaskBotRequest, updateId: string): m.TriggerTaskBotResult {
    const replay = this.book.answerTo(updateId);
    if (replay) return replay;
    this.checkTrigger(request, updateId);
    const task = this.host.tasks.get(request.taskId)!;
    const { run, result } = this.book.trigger(task, request, updateId, nowIso());
    if (!result.created) return result;
    this.host.sync(this.host.tasks.recordBotQueued(task.taskId, run.bot, run.requestedBy, nowIso()));
    const offer = this.book.offerOf(task.taskId, run.bot)!;
    const began = Date.now();
    const work = executeAttended(run, offer, request.input ?? {}).then((outcome) => {
      this.host.facts.bot(Date.now() - began, outcome.ok ? undefined : outcome.failure);
      this.book.finish(run, outcome, nowIso());
      const recorded = outcome.ok ? { ok: true, result: outcome.value, attendedRunId: run.attendedRunId } : { ok: false, failure: outcome.failure, attendedRunId: run.attendedRunId };
      this.host.sync(this.host.tasks.recordBotResult(run.taskId, run.bot, run.requestedBy, recorded, nowIso()));
    });
    // Awaited before the run closes, like the index updates: a run never ends under a bot.
    this.host.beside(work.catch(() => undefined));
    return result;
  }

  private onBotReport(report: m.AttendedBotReport): void {
    const taskId = /^(.+)\.b\d+$/.exec(report.attendedRunId)?.[1];
    const task = taskId ? this.host.tasks.get(taskId) : undefined;
    const run = task?.attendedRuns?.find((r) => r.attendedRunId === report.attendedRunId);
    if (run && this.book.progress(run, report, nowIso())) this.host.sync(this.host.tasks.touch(task!.taskId));
  }
}
