// Where an operator's bot button lands. The trigger never waits on a bot. The run's guard is read
// first through a Query (batched: the triggers that arrive together share one), so a trigger that
// joins the bot already running spends none of the run's Updates; only the trigger that starts a
// run is an Update, whose handler records the queued run and answers at once. Within one API
// process, triggers of one bot on one task that arrive while one is starting it join it.
// An Idempotency-Key's first answer is kept in Redis for a day (a retry is answered from there,
// without reaching the run); the run keeps it too (the Update's id, or a Signal for a join), which
// is what answers when Redis is away or has lost it.
import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import * as m from '../../workflows/engine/messages';
import type { Actor, AttendedRunView, HumanTaskView, TriggerTaskBotResult } from '../../workflows/engine/messages';
import { problemOfRefusal, type TaskDesk } from '../task-desk';
import { problems } from '../problems';
import { PreviewBatches } from './preview-batches';
import type { TaskIndex } from '../../inbox/task-index';

const ANSWER_TTL_S = 24 * 60 * 60;

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

export interface TriggerAnswer {
  /** 202: this trigger queued the run; 200: it joined (or replayed) one. */
  created: boolean;
  result: TriggerTaskBotResult;
}

export const attendedRunUrl = (taskId: string, attendedRunId: string): string =>
  `/tasks/${encodeURIComponent(taskId)}/bots/${encodeURIComponent(attendedRunId)}`;

export class AttendedDesk {
  /** The trigger that is starting a run of a bot on a task (key: task and bot). */
  private readonly starting = new Map<string, Promise<TriggerTaskBotResult>>();
  private readonly previews: PreviewBatches;

  constructor(
    private readonly temporal: Client,
    private readonly desk: TaskDesk,
    private readonly index: TaskIndex,
  ) {
    this.previews = new PreviewBatches(temporal);
  }

  async trigger(taskId: string, body: { bot: string; input?: Record<string, unknown> }, actor: Actor, idempotencyKey?: string): Promise<TriggerAnswer> {
    const runId = m.runIdOfTask(taskId);
    if (!runId) throw problems.taskNotFound(`No task ${taskId}`);
    const request: m.TriggerTaskBotRequest = { taskId, actor, bot: body.bot, ...(body.input ? { input: body.input } : {}) };
    const updateId = idempotencyKey ? `bot:${taskId}:${sha(`${actor.operatorId}\n${idempotencyKey}`)}` : undefined;
    const key = `${taskId}\n${body.bot}`;
    const remembered = updateId ? await this.rememberedAnswer(updateId) : undefined;
    if (remembered) return { created: remembered.created, result: remembered };
    // While another trigger is starting this bot, read the guard meanwhile rather than after it.
    const starting = this.starting.get(key);
    const preview = await this.preview(runId, request, updateId);
    if (preview.kind === 'replay') return { created: preview.result.created, result: await this.remember(updateId, preview.result) };
    if (preview.kind === 'join') return this.join(runId, request, updateId, joined(preview.run));
    // The guard let this trigger through; if a run is being started here, it is the one to join.
    const leader = starting ?? this.starting.get(key);
    if (leader) {
      const result = await leader.catch(() => undefined);
      if (result) return this.join(runId, request, updateId, { ...result, created: false });
    }
    const sending = this.desk.update(m.triggerTaskBotUpdate, request, updateId ?? randomUUID());
    this.starting.set(key, sending);
    try {
      const result = await sending;
      return { created: result.created, result: await this.remember(updateId, result) };
    } finally {
      if (this.starting.get(key) === sending) this.starting.delete(key);
    }
  }

  /** One attended run of a task, as its run records it. */
  async read(taskId: string, attendedRunId: string, actor: Actor): Promise<{ run: AttendedRunView; task: HumanTaskView }> {
    const task = await this.desk.task(taskId, actor);
    const run = task.attendedRuns?.find((r) => r.attendedRunId === attendedRunId);
    if (!run) throw problems.attendedRunNotFound(`Task ${taskId} has no attended run ${attendedRunId}`);
    return { run, task };
  }

  private async join(runId: string, request: m.TriggerTaskBotRequest, updateId: string | undefined, result: TriggerTaskBotResult): Promise<TriggerAnswer> {
    if (!updateId) return { created: false, result };
    // A keyed join is remembered, so a retry of the key gets this answer even once the run is over:
    // in Redis for the quick answer, and in the run (not awaited: the server has it, the workflow
    // records it at its next task) for when Redis cannot tell.
    void this.temporal.workflow.getHandle(runId).signal(m.rememberBotTriggerSignal, { request, updateId, result }).catch(() => undefined);
    return { created: false, result: await this.remember(updateId, result) };
  }

  private answerKey(updateId: string): string {
    return `${this.index.prefix}:bot-trigger:${updateId}`;
  }

  private async rememberedAnswer(updateId: string): Promise<TriggerTaskBotResult | undefined> {
    const raw = await this.index.redis.get(this.answerKey(updateId)).catch(() => null);
    return raw ? (JSON.parse(raw) as TriggerTaskBotResult) : undefined;
  }

  /** Keeps a keyed trigger's first answer; a racing retry that got there first wins, and both are told its answer. */
  private async remember(updateId: string | undefined, result: TriggerTaskBotResult): Promise<TriggerTaskBotResult> {
    if (!updateId) return result;
    const key = this.answerKey(updateId);
    const set = await this.index.redis.set(key, JSON.stringify(result), 'EX', ANSWER_TTL_S, 'NX').catch(() => 'unknown');
    if (set === null) return (await this.rememberedAnswer(updateId)) ?? result;
    return result;
  }

  private async preview(runId: string, request: m.TriggerTaskBotRequest, updateId: string | undefined): Promise<m.TriggerPreview> {
    const preview = await this.previews.preview(runId, request, updateId).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) throw problems.taskNotFound(`No task ${request.taskId}`);
      throw err;
    });
    if (preview.kind !== 'refused') return preview;
    const failure = ApplicationFailure.create({ type: preview.type, message: preview.message, details: preview.details });
    throw problemOfRefusal(failure) ?? problems.invalidTaskRequest(preview.message);
  }
}

function joined(run: AttendedRunView): TriggerTaskBotResult {
  return { attendedRunId: run.attendedRunId, taskId: run.taskId, bot: run.bot, status: run.status, created: false };
}
