// What every process's recording scenario (workflows/<process>/replay-scenario.ts) is made of:
// a real run driven through the API, its history recorded at the points where runs wait in
// production (started, at a human task, mid-batch, finished). A scenario runs with the
// orchestration worker alone, so a run's first bot step is still waiting for a bot; what it
// returns runs once the bot worker is up (all of them at once, so batches are caught mid-way).
import { randomInt } from 'node:crypto';
import type { Recorder } from './recorder';

export type Scenario = (r: Recorder) => Promise<() => Promise<void>>;
export type Json = any;

export const CLIENT = 'acme-health';

/** A claim nobody has worked, like `like` (CLM-1002: 2,450.00, above auto-approval, so it waits for review). */
export const freshClaim = (like = 'CLM-1002'): string => `${like}${String(randomInt(1e6)).padStart(6, '0')}`;

/** Waits until no item is pending or running and returns the batch's progress. */
export const batchSettled = (r: Recorder, batchId: string, as: string): Promise<Json> =>
  r.until(async () => {
    const p = await r.get(`/batches/${batchId}`, as);
    return p.counts.pending + p.counts.running === 0 && p;
  }, `${batchId} to settle`);

export const midBatch = (r: Recorder, batchId: string, as: string, done: number): Promise<Json> =>
  r.until(async () => {
    const p = await r.get(`/batches/${batchId}`, as);
    return p.counts.done >= done && p;
  }, `${done} items of ${batchId} done`);

/** Records the parent and its batch while items are still to go (asserted from the batch's progress). */
export async function recordMidBatch(r: Recorder, process: string, runId: string, batchId: string, as: string, done: number): Promise<void> {
  await midBatch(r, batchId, as, done);
  await r.record(process, 'mid-batch', runId);
  await r.record(process, 'batch-mid-batch', batchId, { busy: true });
  // Progress only moves on: items still to go now were still to go when the history was fetched.
  const after = await r.get(`/batches/${batchId}`, as);
  if (after.counts.pending + after.counts.running === 0) throw new Error(`${batchId} had no items left to work once recorded mid-batch: record again`);
}

