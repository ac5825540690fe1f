// Every error the API returns is application/problem+json (RFC 9457), made here by factories so
// titles, types and statuses never drift between routes.
import { z } from 'zod';
import type { DependencyUnavailable } from '../platform/dependencies/circuit';

export const FieldIssue = z.object({
  field: z.string().describe('Where the problem is, e.g. `body.claimRef` or `data.reason`'),
  message: z.string(),
});

export const Problem = z
  .object({
    type: z.string().describe('Stable identifier of the kind of problem'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    field: z.string().optional().describe('The first offending field, when one is to blame'),
    errors: z.array(FieldIssue).optional(),
  })
  .catchall(z.unknown());
export type Problem = z.infer<typeof Problem>;
export type FieldIssue = z.infer<typeof FieldIssue>;

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

function make(slug: string, title: string, status: number) {
  return (detail?: string, extra: Partial<Problem> = {}): ProblemError =>
    new ProblemError({ type: `urn:tandem:problem:${slug}`, title, status, ...(detail ? { detail } : {}), ...extra });
}

export const problems = {
  invalidRequest: (issues: FieldIssue[], detail = 'The request does not match its schema') =>
    make('invalid-request', 'Invalid request', 400)(detail, { field: issues[0]?.field, errors: issues }),
  invalidDecision: (issues: FieldIssue[]) =>
    make('invalid-decision', 'The decision does not match the task form', 400)('Fix the named fields and send the decision again', {
      field: issues[0]?.field,
      errors: issues,
    }),
  unauthenticated: make('unauthenticated', 'Who is calling?', 401),
  forbidden: make('forbidden', 'Not allowed', 403),
  notFound: make('not-found', 'Not found', 404),
  unknownProcess: make('unknown-process', 'No such process', 404),
  runNotFound: make('run-not-found', 'No such run', 404),
  taskNotFound: make('task-not-found', 'No such task', 404),
  taskAlreadyCompleted: make('task-already-completed', 'Task already completed', 409),
  taskClaimed: make('task-claimed', 'Task held by someone else', 409),
  leaseExpired: make('lease-expired', 'Your lease on the task has lapsed', 409),
  invalidTaskRequest: (detail: string, field?: string) =>
    make('invalid-task-request', 'The task cannot do that', 400)(detail, field ? { field, errors: [{ field, message: detail }] } : {}),
  tooManyAttendedRuns: make('too-many-attended-runs', 'No more attended bot runs on this task', 429),
  attendedRunNotFound: make('attended-run-not-found', 'No such attended bot run on this task', 404),
  runFinished: make('run-finished', 'The run has already finished', 409),
  runClosed: make('run-closed', 'The run has already ended', 409),
  runNotCancellable: make('run-not-cancellable', 'This run cannot be cancelled on its own', 409),
  businessItemOpen: make('business-item-open', 'This business item already has an open run', 409),
  businessItemDone: make('business-item-done', 'This business item was already worked', 409),
  idempotencyConflict: make('idempotency-key-reused', 'Idempotency-Key reused with a different request', 409),
  taskCancelled: make('task-cancelled', 'The run was cancelled', 410),
  deliveryNotFailed: make('delivery-not-failed', 'Only a failed webhook delivery can be re-driven', 409),
  scheduleNotFound: make('schedule-not-found', 'No such schedule', 404),
  scheduleExists: make('schedule-exists', 'A schedule with this id already exists', 409),
  batchNotFound: make('batch-not-found', 'No such batch', 404),
  itemNotFound: make('item-not-found', 'No such item in the batch', 404),
  batchClosed: make('batch-closed', 'The batch takes no more items', 409),
  duplicateItems: make('duplicate-items', 'Items already in the batch', 409),
  invalidItems: (issues: FieldIssue[]) =>
    make('invalid-items', 'Items the batch’s handler cannot take', 422)('Fix the named fields and send the items again', { field: issues[0]?.field, errors: issues }),
  qaPolicyChanged: make('qa-policy-changed', 'The QA policy was changed since you read it', 409),
  itemNotPostponable: make('item-not-postponable', 'The item cannot be postponed', 409),
  unavailable: make('unavailable', 'A backing service is unavailable', 503),
  internal: make('internal', 'Internal error', 500),
  dependencyUnavailable: (outage: DependencyUnavailable) => dependencyProblem(outage),
};

const WHAT_LIVES_THERE = { temporal: 'Temporal, where runs, tasks and decisions are recorded,', redis: 'Redis, the inbox index,' } as const;

/** 503 for an outage: which dependency, since when, whether anything was recorded, when to retry. */
function dependencyProblem(outage: DependencyUnavailable): ProblemError {
  const name = outage.dependency === 'temporal' ? 'Temporal' : 'Redis';
  const retry = `Send the same request again in ${outage.retryAfterS} s or later (with the same Idempotency-Key, a repeat is safe).`;
  const detail = outage.notSent
    ? `${WHAT_LIVES_THERE[outage.dependency]} is not answering (since ${outage.since.toISOString()}). Nothing was recorded. ${retry}`
    : `${WHAT_LIVES_THERE[outage.dependency]} did not answer in time. The request may not have been recorded. ${retry}`;
  return make('dependency-unavailable', `${name} is unavailable`, 503)(detail, {
    dependency: outage.dependency,
    since: outage.since.toISOString(),
    recorded: outage.notSent ? 'no' : 'unknown',
    retryAfterSeconds: outage.retryAfterS,
  });
}

/** Turns zod issues into field issues; `prefix` names the part of the request (body, query…). */
export function fieldIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>, prefix?: string): FieldIssue[] {
  return issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}
