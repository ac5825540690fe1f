// The closed set of failure types the engine raises across the Temporal boundary. The API maps
// each to an HTTP status (api/problems.ts); workflows and validators raise them by name so that
// the mapping cannot drift.
export const TaskFailureType = {
  /** No task with that id in this run, or the caller is not scoped to its client and team. */
  NotFound: 'TaskNotFound',
  /** The task was already decided; nothing was changed. */
  AlreadyCompleted: 'TaskAlreadyCompleted',
  /** The run was cancelled, so its tasks can no longer be decided. */
  Cancelled: 'TaskCancelled',
  /** The decision does not match the task's form. */
  InvalidDecision: 'InvalidTaskDecision',
  /** Another operator holds the task (claimed, or it is assigned to them). */
  Claimed: 'TaskClaimed',
  /** The caller's lease on the task lapsed (or was never theirs): take the task again. */
  LeaseExpired: 'TaskLeaseExpired',
  /** The caller may see the task but not do this to it (e.g. reassign without being a supervisor). */
  Forbidden: 'TaskActionForbidden',
  /** The request names something the task does not offer (an unknown bot, a malformed label). */
  InvalidRequest: 'InvalidTaskRequest',
  /** The task (or the operator on it) has started as many attended bot runs as it may. */
  TooManyAttendedRuns: 'TooManyAttendedRuns',
} as const;
export type TaskFailureType = (typeof TaskFailureType)[keyof typeof TaskFailureType];

/** Why a cancelRun Update was refused: the run is already being cancelled (the API answers as for the
 *  first request: idempotent), or it has already finished (409 naming its status). */
export const RunCancelFailureType = {
  AlreadyCancelling: 'RunAlreadyCancelling',
  Finished: 'RunFinished',
  Forbidden: 'RunCancelForbidden',
} as const;

/** A bot refused to write because its run is being cancelled (checked right before the write). */
export const RUN_CANCELLED = 'RunCancelled';

/** Failure type of a bot's business exception (non-retryable: a human has to look). */
export const BUSINESS_EXCEPTION = 'BusinessException';

/** Details carried by a business-exception failure. */
export interface BusinessExceptionDetails {
  code: string;
  details: Record<string, unknown>;
  evidence?: { screenshot?: string; trace?: string };
}

/** A bot step that failed for good, as the workflow sees it (engine/bot-step.ts makes it from the activity failure). */
export interface BotFailure {
  kind: 'business' | 'system';
  code: string;
  message: string;
  details: Record<string, unknown>;
  evidence?: BusinessExceptionDetails['evidence'];
}

export type BotOutcome<O> = { ok: true; value: O } | { ok: false; failure: BotFailure };
