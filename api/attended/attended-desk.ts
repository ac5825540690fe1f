// Where an operator's bot button lands. The trigger never waits on a bot: the run's guard is read
// first through a Query (a trigger that joins the bot already running writes nothing to history
// and spends none of the run's Updates), and only a trigger that starts a run, or must remember
// its Idempotency-Key, is an Update, whose handler records the queued run and answers at once.
import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import * as m from '../../workflows/engine/messages';
import type { Actor, AttendedRunView, HumanTaskView, TriggerTaskBotResult } from '../../workflows/engine/messages';
import { problemOfRefusal, type TaskDesk } from '../task-desk';
import { problems } from '../problems';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** Updates one API process keeps in flight on one run: Temporal refuses more than 10 per run. */
const UPDATES_PER_RUN = 4;

export interface TriggerAnswer {
  /** 202: this trigger queued the run; 200: it joined (or replayed) one. */
  created: boolean;
  result: TriggerTaskBotResult;
}

export const attendedRunUrl = (taskId: string, attendedRunId: string): string =>
  `/tasks/${encodeURIComponent(taskId)}/bots/${encodeURIComponent(attendedRunId)}`;

/** At most `limit` holders at once; the rest wait in order. */
class Gate {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }

  get idle(): boolean {
    return this.busy === 0;
  }
}

export class AttendedDesk {
  /** The trigger that is starting a run of a bot on a task: others wait for it, then join. */
  private readonly starting = new Map<string, Promise<unknown>>();
  private readonly gates = new Map<string, Gate>();

  constructor(
    private readonly temporal: Client,
    private readonly desk: TaskDesk,
  ) {}

  async trigger(taskId: string, body: { bot: string; input?: Record<string, unknown> }, actor: Actor, idempotencyKey?: string): Promise<TriggerAnswer> {
    const request: m.TriggerTaskBotRequest = { taskId, actor, bot: body.bot, ...(body.input ? { input: body.input } : {}) };
    const updateId = idempotencyKey ? `bot:${taskId}:${sha(`${actor.operatorId}\n${idempotencyKey}`)}` : undefined;
    const key = `${taskId}\n${body.bot}`;
    for (let round = 0; ; round++) {
      await this.starting.get(key)?.catch(() => undefined);
      const preview = await this.preview(request, updateId);
      if (preview.kind === 'replay') return { created: preview.result.created, result: preview.result };
      if (preview.kind === 'join' && !updateId) return { created: false, result: joined(preview.run) };
      // Someone in this process began starting the run meanwhile: wait for it and join.
      if (preview.kind === 'start' && this.starting.has(key) && round < 3) continue;
      const sending = this.send(request, updateId ?? randomUUID());
      if (preview.kind === 'start') {
        this.starting.set(key, sending);
        void sending.catch(() => undefined).finally(() => this.starting.get(key) === sending && this.starting.delete(key));
      }
      const result = await sending;
      return { created: result.created, result };
    }
  }

  /** One attended run of a task, as its run records it; the result from the task's context once done. */
  async read(taskId: string, attendedRunId: string, actor: Actor): Promise<{ run: AttendedRunView; task: HumanTaskView }> {
    const task = await this.desk.task(taskId, actor);
    const run = task.attendedRuns?.find((r) => r.attendedRunId === attendedRunId);
    if (!run) throw problems.attendedRunNotFound(`Task ${taskId} has no attended run ${attendedRunId}`);
    return { run, task };
  }

  private async preview(request: m.TriggerTaskBotRequest, updateId: string | undefined): Promise<m.TriggerPreview> {
    const runId = m.runIdOfTask(request.taskId);
    if (!runId) throw problems.taskNotFound(`No task ${request.taskId}`);
    const preview = await this.temporal.workflow
      .getHandle(runId)
      .query(m.previewTaskBotQuery, request, updateId)
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) throw problems.taskNotFound(`No task ${request.taskId}`);
        throw err;
      });
    if (preview.kind !== 'refused') return preview;
    const failure = ApplicationFailure.create({ type: preview.type, message: preview.message, details: preview.details });
    throw problemOfRefusal(failure) ?? problems.invalidTaskRequest(preview.message);
  }

  private async send(request: m.TriggerTaskBotRequest, updateId: string): Promise<TriggerTaskBotResult> {
    const runId = m.runIdOfTask(request.taskId)!;
    let gate = this.gates.get(runId);
    if (!gate) this.gates.set(runId, (gate = new Gate(UPDATES_PER_RUN)));
    try {
      return await gate.run(() => this.desk.update(m.triggerTaskBotUpdate, request, updateId));
    } finally {
      if (gate.idle) this.gates.delete(runId);
    }
  }
}

function joined(run: AttendedRunView): TriggerTaskBotResult {
  return { attendedRunId: run.attendedRunId, taskId: run.taskId, bot: run.bot, status: run.status, created: false };
}
