// A bot step must never outlive its hard timeout. Temporal's worker only times an attempt out
// locally at the smaller of its heartbeat and start-to-close timeouts (plus a 5 s buffer), and a
// heartbeating bot keeps resetting the first, so a hung page would learn of its start-to-close
// timeout only from a later heartbeat's answer, seconds after the retry may have started
// elsewhere. This guard aborts the attempt itself, shortly before the server gives up on it.

/** The step ran into its time budget; a system fault, so Temporal's retry policy applies. */
export class BotStepTimedOut extends Error {
  override readonly name = 'BotStepTimedOut';
  constructor(step: string, ranMs: number) {
    super(`Bot step ${step} was stopped at its hard timeout, ${ranMs} ms after it started`);
  }
}

export interface HardDeadlineOptions {
  /** The activity's start-to-close timeout; 0 = none. */
  startToCloseTimeoutMs: number;
  /** The activity's schedule-to-close timeout (across attempts); 0 = none. */
  scheduleToCloseTimeoutMs: number;
  /** When the first attempt was scheduled (schedule-to-close counts from there). */
  scheduledTimestampMs: number;
  /** When this attempt started. Default now. */
  startedAtMs?: number;
  /** Time kept back for saving evidence and closing the page. Default min(5 s, a tenth of the budget). */
  marginMs?: number;
}

/** Epoch ms at which the attempt must stop, or undefined when it has no timeout at all. */
export function hardDeadlineAt(opts: HardDeadlineOptions): number | undefined {
  const startedAt = opts.startedAtMs ?? Date.now();
  const limits = [
    opts.startToCloseTimeoutMs > 0 ? startedAt + opts.startToCloseTimeoutMs : undefined,
    opts.scheduleToCloseTimeoutMs > 0 ? opts.scheduledTimestampMs + opts.scheduleToCloseTimeoutMs : undefined,
  ].filter((t): t is number => t !== undefined);
  if (limits.length === 0) return undefined;
  const end = Math.min(...limits);
  const margin = opts.marginMs ?? Math.min(5_000, Math.floor((end - startedAt) / 10));
  return end - Math.max(0, margin);
}

/** Calls `onTimeout` at `deadline` (never when undefined); `clear()` when the attempt ends first. */
export function armDeadline(deadline: number | undefined, onTimeout: () => void): { clear: () => void } {
  if (deadline === undefined) return { clear: () => undefined };
  const timer = setTimeout(onTimeout, Math.max(0, deadline - Date.now()));
  return { clear: () => clearTimeout(timer) };
}
