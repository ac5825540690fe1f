// Cancelling a run: who asked and why (the cancelRun Update), and the compensations a process
// declared for steps already done, run once when the run stops. Plain state plus the one loop that
// runs the compensations; ProcessRun wires it into the run's handlers and its cancellation path.
//
// Why an Update before Temporal's own cancel, rather than a hand-made flag or a cancel alone: the
// Update carries the actor and the reason into history (the audit reads them from there, as for
// every task action), its validator refuses a closed run or an out-of-scope caller before anything
// is written, and a repeat is refused as "already cancelling" so history keeps one request. The
// API then calls WorkflowHandle.cancel(): the run's root CancellationScope is cancelled, every
// await (a bot step, a human task's condition, a timer) rejects at once, the run closes as
// CANCELLED in Temporal, and the cleanup runs in a non-cancellable scope.
import { ApplicationFailure, upsertMemo } from '@temporalio/workflow';
import { RunCancelFailureType } from './failures';
import type { CancelRunRequest, CompensationRecord, RunCancellation, RunPhase } from './messages';

/** Memo key of the cancellation record (who, why, what was compensated): the audit reads it from history. */
export const CANCELLATION_MEMO = 'tandem.cancellation';
/** patched() ids of the cancellation path, so histories recorded before it replay unchanged. */
export const CANCEL_STOPS_BOT_STEP = 'tandem-cancel-stops-bot-step';
export const CANCEL_COMPENSATES = 'tandem-cancel-compensates';

/** Roles that may cancel a run (the API checks the same list; the run checks again). */
export const RUN_CANCELLERS = ['supervisor', 'process-admin'] as const;

/**
 * Makes good a step already done when the run is cancelled. It must look at what the client
 * application actually holds (by the step's idempotency reference), so it is right whether the
 * step finished, never started, or was cut short mid-write; and it must be exactly-once itself.
 */
export interface Compensation {
  /** The step it undoes, e.g. `enter-decision`. */
  step: string;
  /** What it does, e.g. `reverse-adjudication`. */
  name: string;
  /** Undoes the step (told who cancelled and why); returns what it did, or null when the step had left nothing to undo. */
  undo: (cancellation: RunCancellation) => Promise<Record<string, unknown> | null>;
}

export class RunCancellationBook {
  private request?: RunCancellation;
  private readonly compensations: Compensation[] = [];

  constructor(private readonly client: string) {}

  get current(): RunCancellation | undefined {
    return this.request && { ...this.request, ...(this.request.compensations ? { compensations: [...this.request.compensations] } : {}) };
  }

  /** The Update's validator: nothing is written for a refused request. */
  check(request: CancelRunRequest, phase: RunPhase): void {
    const { actor } = request;
    if (!actor.clients.includes(this.client) || !actor.roles.some((r) => (RUN_CANCELLERS as readonly string[]).includes(r))) {
      throw ApplicationFailure.nonRetryable('Only a supervisor or process admin of the run’s client may cancel it', RunCancelFailureType.Forbidden);
    }
    if (this.request) throw ApplicationFailure.nonRetryable(`Already being cancelled by ${this.request.by}`, RunCancelFailureType.AlreadyCancelling, this.request);
    if (phase === 'completed' || phase === 'failed' || phase === 'cancelled') {
      throw ApplicationFailure.nonRetryable(`The run has already ${phase === 'cancelled' ? 'been cancelled' : phase}`, RunCancelFailureType.Finished, { phase });
    }
  }

  record(request: CancelRunRequest, now: string): RunCancellation {
    this.request = { by: request.actor.operatorId, reason: request.reason.trim(), requestedAt: now };
    return this.current!;
  }

  /** Temporal cancelled the run without the Update (the Temporal UI, a schedule's CANCEL_OTHER). */
  recordUnannounced(now: string): void {
    this.request ??= { by: 'system', reason: 'Cancelled in Temporal without a reason (no cancelRun request)', requestedAt: now };
  }

  /** Declares a compensation; declaring the same one again (a retried step) keeps one. */
  declare(compensation: Compensation): void {
    if (!this.compensations.some((c) => c.step === compensation.step && c.name === compensation.name)) this.compensations.push(compensation);
  }

  /** Runs the declared compensations, latest step first, each once, and records what they did in
   *  the run's memo. Called in a non-cancellable scope, after the run's tasks are withdrawn. */
  async compensate(now: () => string): Promise<void> {
    const done: CompensationRecord[] = [];
    for (const c of [...this.compensations].reverse()) {
      try {
        const detail = await c.undo(this.current!);
        done.push({ step: c.step, name: c.name, outcome: detail ? 'done' : 'nothing-to-undo', at: now(), ...(detail ? { detail } : {}) });
      } catch (err) {
        done.push({ step: c.step, name: c.name, outcome: 'failed', at: now(), detail: { error: (err as Error).message } });
      }
    }
    if (this.request) this.request.compensations = done;
    upsertMemo({ [CANCELLATION_MEMO]: this.current });
  }
}
