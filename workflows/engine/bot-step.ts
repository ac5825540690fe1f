// How a workflow calls a bot: an activity on the bot task queue with Temporal's retry policy.
// A business exception (the client app says the data is wrong) is non-retryable and comes back as
// a value the process routes to a human; a system fault is retried, and only after the last
// attempt does it come back as a value too, so no failure ends a run silently.
import { ActivityFailure, ApplicationFailure, proxyActivities, TimeoutFailure, type ActivityOptions } from '@temporalio/workflow';
import { BUSINESS_EXCEPTION, type BotFailure, type BusinessExceptionDetails } from '../../contract/failures';

export type { BotFailure, BotOutcome } from '../../contract/failures';

export const BOT_TASK_QUEUE = 'tandem-bots';

export const DEFAULT_BOT_OPTIONS: ActivityOptions = {
  taskQueue: BOT_TASK_QUEUE,
  startToCloseTimeout: '3 minutes',
  // Bot activities heartbeat every couple of seconds: a dead bot worker is noticed this fast.
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [BUSINESS_EXCEPTION],
  },
};

/** Proxies a process's bot activities on the bot task queue. */
export function botSteps<T extends object>(options: Partial<ActivityOptions> = {}): T {
  return proxyActivities<T>({ ...DEFAULT_BOT_OPTIONS, ...options }) as T;
}

/** Turns an activity failure into a BotFailure; anything else (e.g. cancellation) is rethrown. */
export function toBotFailure(err: unknown): BotFailure {
  if (!(err instanceof ActivityFailure)) throw err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === BUSINESS_EXCEPTION) {
    const info = (cause.details?.[0] ?? {}) as Partial<BusinessExceptionDetails>;
    return {
      kind: 'business',
      code: info.code ?? 'BusinessException',
      message: cause.message,
      details: info.details ?? {},
      evidence: info.evidence,
    };
  }
  const evidence = cause instanceof ApplicationFailure ? (cause.details?.[0] as BusinessExceptionDetails | undefined)?.evidence : undefined;
  return {
    kind: 'system',
    code: cause instanceof TimeoutFailure ? 'Timeout' : cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : 'Error',
    message: cause?.message ?? err.message,
    details: {},
    evidence,
  };
}
