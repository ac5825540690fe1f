// The closed set of failure types the engine raises across the Temporal boundary. The API maps
// each to an HTTP status (api/problems.ts); workflows and validators raise them by name so that
// the mapping cannot drift.
export const TaskFailureType = {
  /** No task with that id in this run. */
  NotFound: 'TaskNotFound',
  /** The caller's identity is not scoped to the task's client or team. */
  NotYours: 'TaskNotYours',
  /** The task was already decided; nothing was changed. */
  AlreadyCompleted: 'TaskAlreadyCompleted',
  /** The run was cancelled, so its tasks can no longer be decided. */
  Cancelled: 'TaskCancelled',
  /** The decision does not match the task's form. */
  InvalidDecision: 'InvalidTaskDecision',
} as const;
export type TaskFailureType = (typeof TaskFailureType)[keyof typeof TaskFailureType];

/** Failure type of a bot's business exception (non-retryable: a human has to look). */
export const BUSINESS_EXCEPTION = 'BusinessException';

/** Details carried by a business-exception failure. */
export interface BusinessExceptionDetails {
  code: string;
  details: Record<string, unknown>;
  evidence?: { screenshot?: string; trace?: string };
}
