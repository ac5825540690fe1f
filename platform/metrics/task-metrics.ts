// Human task timings, observed when a decision goes through the API (TaskDesk.decide): how long a
// task waited before someone took it, how long they held it, and how many decisions of each kind.
import type { CompleteTaskResult, HumanTaskView } from '../../workflows/engine/messages';
import { tandemCounter, tandemHistogram, type Histogram, type Registry } from './registry';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
/** Seconds: from under a minute (take-next floors) to a week (a neglected queue). */
const WAIT_BUCKETS = [10, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 24 * HOUR, 72 * HOUR, 168 * HOUR];
/** Seconds: an approval click to a long investigation. */
const HANDLE_BUCKETS = [5, 15, 30, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR];

const UNKNOWN = 'unknown';
const seconds = (fromIso: string, toIso: string): number => Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);

export class TaskMetrics {
  private readonly wait;
  private readonly handle;
  private readonly decisions;

  /** `firstSight(updateId)` answers true only the first time any API instance asks about an
   *  Update id: Temporal answers a repeated Update (same Idempotency-Key) with the first result,
   *  which must not be counted again. */
  constructor(
    registry: Registry,
    private readonly firstSight?: (updateId: string) => Promise<boolean>,
  ) {
    this.wait = tandemHistogram(registry, {
      name: 'tandem_task_wait_seconds',
      help: 'Time a human task waited before an operator took it: opened → first claim (or → the decision, when decided without a claim)',
      labelNames: ['process', 'team'],
      buckets: WAIT_BUCKETS,
    });
    this.handle = tandemHistogram(registry, {
      name: 'tandem_task_handle_seconds',
      help: 'Time an operator held a human task: the claim the decision was made under → the decision (claimed tasks only)',
      labelNames: ['process', 'team'],
      buckets: HANDLE_BUCKETS,
    });
    this.decisions = tandemCounter(registry, {
      name: 'tandem_task_decisions_total',
      help: 'Human task decisions recorded through the API, by process, team and action',
      labelNames: ['process', 'team', 'action'],
    });
  }

  /** A decision was recorded; `task` is the task as it was just before (the index's copy), null
   *  when unknown (Redis down), which still counts the decision but times nothing. `updateId`:
   *  when the caller's Idempotency-Key made it repeatable. Never throws. */
  async decided(task: HumanTaskView | null, result: CompleteTaskResult, updateId?: string): Promise<void> {
    if (result.replayed) return;
    if (updateId && this.firstSight && !(await this.firstSight(updateId).catch(() => true))) return;
    const labels = { process: task?.process ?? UNKNOWN, team: result.team };
    this.decisions.inc({ ...labels, action: result.action });
    if (!task) return;
    const { firstClaim, heldSince } = claimsOf(task);
    observe(this.wait, labels, seconds(task.createdAt, firstClaim ?? result.decidedAt));
    if (heldSince) observe(this.handle, labels, seconds(heldSince, result.decidedAt));
  }
}

/** From the task's own trail, which both the open copy and the completed one (the run may have
 *  mirrored the decision first, clearing `claim`) carry: its first claim, and the claim it was
 *  still under when decided. */
function claimsOf(task: HumanTaskView): { firstClaim?: string; heldSince?: string } {
  let firstClaim: string | undefined;
  let heldSince: string | undefined;
  for (const { event, at } of task.events ?? []) {
    if (event === 'completed') break;
    if (event === 'claimed') {
      firstClaim ??= at;
      heldSince = at;
    } else if (event === 'released' || event === 'lease-expired' || event === 'reassigned' || event === 'escalated') {
      heldSince = undefined;
    }
  }
  return { firstClaim: firstClaim ?? task.claim?.claimedAt, heldSince: heldSince ?? task.claim?.claimedAt };
}

/** A malformed time in an old index copy must not fail the decision it follows: it is skipped. */
function observe(histogram: Histogram<'process' | 'team'>, labels: { process: string; team: string }, value: number): void {
  if (Number.isFinite(value)) histogram.observe(labels, value);
}
