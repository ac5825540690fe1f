// Feeds the reporting store from Temporal: every closed run carries its fact in its memo (written
// in the workflow task that closes it), so the feed reads visibility pages of runs closed since its
// watermark. Rebuilding is the same read from the beginning; feeding a run twice changes nothing.
import type { Client } from '@temporalio/client';
import { RUN_FACT_MEMO, type RunFact } from '../workflows/engine/run-facts';
import type { RunFactStore } from './fact-store';

const WATERMARK = 'temporal-close-watermark';
/** Visibility is written a little after a close: re-read this much before the watermark. */
const OVERLAP_MS = 60_000;

export interface FeedReport {
  read: number;
  stored: number;
  withoutFact: number;
  tookMs: number;
}

export class RunFactFeed {
  private timer?: NodeJS.Timeout;
  private running?: Promise<FeedReport>;

  constructor(
    private readonly temporal: Client,
    private readonly store: RunFactStore,
    private readonly options: { everyMs?: number; onError?: (err: unknown) => void } = {},
  ) {}

  /** Stores the facts of runs closed since the watermark; one pass at a time. */
  catchUp(): Promise<FeedReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Drops every row and reads all closed runs again from Temporal. */
  async rebuild(): Promise<FeedReport> {
    await this.running?.catch(() => undefined);
    await this.store.clear();
    return this.catchUp();
  }

  start(): void {
    const tick = () => {
      this.catchUp()
        .catch((err) => this.options.onError?.(err))
        .finally(() => (this.timer = setTimeout(tick, this.options.everyMs ?? 5_000)));
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<FeedReport> {
    const began = Date.now();
    const since = Number((await this.store.feedState(WATERMARK)) ?? 0);
    const from = new Date(Math.max(0, since - OVERLAP_MS)).toISOString();
    const query = `TandemProcess IS NOT NULL AND ExecutionStatus != 'Running' AND CloseTime >= '${from}'`;
    let read = 0;
    let withoutFact = 0;
    let watermark = since;
    let stored = 0;
    let batch: RunFact[] = [];
    const flush = async () => {
      stored += await this.store.upsert(batch);
      batch = [];
    };
    for await (const run of this.temporal.workflow.list({ query, pageSize: 1000 })) {
      read++;
      const fact = run.memo?.[RUN_FACT_MEMO] as RunFact | undefined;
      if (fact?.v === 1) batch.push(fact);
      else withoutFact++;
      if (run.closeTime) watermark = Math.max(watermark, run.closeTime.getTime());
      if (batch.length >= 1000) await flush();
    }
    await flush();
    await this.store.setFeedState(WATERMARK, String(watermark));
    return { read, stored, withoutFact, tookMs: Date.now() - began };
  }
}
