// What the replay scenarios drive runs with: the real API (built in-process, as the end-to-end
// tests build it) on the recorder's own stack, and the one place histories are fetched and written.
import { performance } from 'node:perf_hooks';
import { statSync } from 'node:fs';
import { relative } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { temporal } from '@temporalio/proto';
import { bearer, SCHEDULER_KEY } from '../../test/support/auth';
import { writeHistoryFixture } from '../../test/replay/history-fixtures';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Json = any; // API replies, read the way the end-to-end tests read them

const SCHEDULER = { 'x-api-key': SCHEDULER_KEY.key };

export class Recorder {
  /** Every fixture written, for the closing summary. */
  readonly written: { file: string; events: number; bytes: number }[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly temporal: Client,
    /** Where fixtures go: a workflows-shaped folder (`<process>/histories/<point>.json`). */
    private readonly outDir: string,
    readonly log: (line: string) => void,
  ) {}

  /** POSTs as `as`, or as the nightly scheduler's machine key; any reply but 2xx throws. */
  async post(url: string, body: object, as?: string): Promise<Json> {
    const res = await this.app.inject({ method: 'POST', url, payload: body, headers: as ? await bearer(as) : SCHEDULER });
    if (res.statusCode >= 300) throw new Error(`POST ${url} → ${res.statusCode}: ${res.body}`);
    return res.json();
  }

  async start(process: string, input: object): Promise<string> {
    return (await this.post(`/processes/${process}/runs`, input)).runId as string;
  }

  async get(url: string, as = 'omar.haddad'): Promise<Json> {
    const res = await this.app.inject({ method: 'GET', url, headers: await bearer(as) });
    if (res.statusCode !== 200) throw new Error(`GET ${url} → ${res.statusCode}: ${res.body}`);
    return res.json();
  }

  /** A task action as `as` (`claim`, `complete`, …). */
  act(taskId: string, action: string, body: object, as: string): Promise<Json> {
    return this.post(`/tasks/${taskId}/${action}`, body, as);
  }

  async terminate(workflowId: string, reason: string): Promise<void> {
    await this.temporal.workflow.getHandle(workflowId).terminate(reason);
  }

  complete(taskId: string, action: string, data: object, as: string): Promise<Json> {
    return this.act(taskId, 'complete', { action, data }, as);
  }

  /** The run's first open task of `kind` (any kind when absent), once it is in the run. */
  openTask(runId: string, as: string, kind?: string): Promise<Json> {
    return this.until(async () => {
      const run = await this.get(`/runs/${runId}`, as);
      return (run.openTasks as Json[]).find((t) => !kind || t.kind === kind);
    }, `an open ${kind ?? ''} task in ${runId}`);
  }

  finished(runId: string, as: string): Promise<Json> {
    return this.until(async () => {
      const run = await this.get(`/runs/${runId}`, as);
      return run.status !== 'running' && run;
    }, `${runId} to finish`);
  }

  async until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 180_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async events(workflowId: string): Promise<HistoryEvent[]> {
    return (await this.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  }

  /** Waits until the run's history holds an event `match` accepts. */
  untilEvent(workflowId: string, what: string, match: (e: HistoryEvent) => boolean): Promise<HistoryEvent> {
    return this.until(async () => (await this.events(workflowId)).find(match), `${workflowId}: ${what}`);
  }

  /**
   * Waits until the run is still between workflow tasks (none pending, no activity of its own
   * under way except `busy`), then writes its history as workflows/<process>/histories/<point>.json.
   */
  async record(process: string, point: string, workflowId: string, options: { busy?: boolean } = {}): Promise<void> {
    const handle = this.temporal.workflow.getHandle(workflowId);
    let length = -1;
    await this.until(async () => {
      const { raw } = await handle.describe();
      const now = Number(raw.workflowExecutionInfo?.historyLength ?? 0);
      const settled = !raw.pendingWorkflowTask && (options.busy || (raw.pendingActivities ?? []).length === 0) && now === length;
      length = now;
      return settled;
    }, `${workflowId} to settle before recording ${point}`);
    const description = await handle.describe();
    const history = await this.temporal.workflow.getHandle(workflowId, description.runId).fetchHistory();
    const file = writeHistoryFixture(
      { process, point, workflowType: description.type, workflowId, runId: description.runId, recordedAt: new Date().toISOString() },
      history,
      this.outDir,
    );
    const entry = { file: relative(this.outDir, file), events: history.events?.length ?? 0, bytes: statSync(file).size };
    this.written.push(entry);
    this.log(`recorded ${entry.file}: ${entry.events} events, ${(entry.bytes / 1024).toFixed(1)} KiB (${description.type} ${workflowId}) at ${(performance.now() / 1000).toFixed(0)} s`);
  }
}

export const activityScheduled = (name: string) => (e: HistoryEvent) => e.activityTaskScheduledEventAttributes?.activityType?.name === name;
export const childStarted = (e: HistoryEvent) => e.childWorkflowExecutionStartedEventAttributes != null;
