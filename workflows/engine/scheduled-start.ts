// What a schedule of a process whose input comes from the fire time starts: a short launcher run
// that reads its own scheduled time (Temporal sets TemporalScheduledStartTime on every run a
// schedule starts, backfills and catch-ups included, to the time the spec gave), computes the input
// with the process's rule and starts the process run as a child under its business item's id, by
// the same guard as an API start (api/process-runs.ts). A second fire for the same item (a repeated
// trigger, an overlapping backfill) is refused, by that guard or by Temporal itself in a race, and
// recorded as the launcher's result, never run twice.
import { ApplicationFailure, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { BusinessCalendar } from './business-calendar';
import { ORCHESTRATION_TASK_QUEUE, type ProcessDefinition } from './process-definition';
import { referenceRunId } from './run-identity';
import { scheduledInput } from './scheduled-input';
import { SEARCH_ATTRIBUTES, SCHEDULED_START_TIME } from '../../contract/search-attributes';

/** The launcher's workflow type (its export name in the orchestration bundle). */
export const SCHEDULED_START_WORKFLOW = 'scheduledStart';

/** What the schedule's action holds: the process, the fixed part of its input, and the calendar to read the fire time in. */
export interface ScheduledStartInput {
  process: string;
  scheduleId: string;
  fixed: Record<string, unknown>;
  calendar: BusinessCalendar;
}

export type ScheduledStartOutcome =
  | { kind: 'started'; runId: string; firedAt: string; businessRef: string; input: unknown }
  | { kind: 'refused'; runId: string; firedAt: string; businessRef: string; input: unknown; reason: string };

import type { BusinessItemActivities } from '../../contract/activities';

export type { BusinessItemActivities, BusinessItemState } from '../../contract/activities';

const items = proxyActivities<BusinessItemActivities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } });

const SA = { ...SEARCH_ATTRIBUTES, scheduledAt: SCHEDULED_START_TIME };

function scheduledTime(): Date {
  const at = workflowInfo().typedSearchAttributes.get(SA.scheduledAt);
  if (!at) throw ApplicationFailure.nonRetryable('This launcher was not started by a schedule: no TemporalScheduledStartTime', 'NotScheduled');
  return at;
}

/** The launcher workflow for these processes (the bundle entry passes the catalogue's). */
export function scheduledStartFor(processes: readonly ProcessDefinition[]): (launch: ScheduledStartInput) => Promise<ScheduledStartOutcome> {
  return async function scheduledStart(launch: ScheduledStartInput): Promise<ScheduledStartOutcome> {
    const process = processes.find((p) => p.name === launch.process && p.schedule);
    if (!process) throw ApplicationFailure.nonRetryable(`No process ${launch.process} takes its input from the fire time in this worker`, 'UnknownProcess');
    const firedAt = scheduledTime();
    const computed = scheduledInput(process, launch.fixed, firedAt, launch.calendar);
    // A bad rule fails the launcher, not its workflow task: a retry would compute the same input.
    if (!computed.ok) throw ApplicationFailure.nonRetryable(computed.message, 'InvalidScheduledInput', computed.issues);
    const { input } = computed;
    const client = process.clientOf(input);
    const businessRef = process.businessRefOf(input);
    const fired = { firedAt: firedAt.toISOString(), businessRef, input };
    // The same guard as an API start: one open run per item; after a completed one, only if the process allows reprocessing.
    const state = await items.businessItemState({ process: process.name, client, ref: businessRef });
    if ('open' in state) return { kind: 'refused', ...fired, runId: state.open, reason: `${businessRef} is already running as ${state.open}` };
    if ('exhausted' in state) return { kind: 'refused', ...fired, runId: state.exhausted, reason: `${businessRef} has had all the runs it may have` };
    if (state.completed && process.reprocessing !== 'allowed') return { kind: 'refused', ...fired, runId: state.completed, reason: `${businessRef} already run as ${state.completed}` };
    const runId = referenceRunId(process.name, client, businessRef, state.nextAttempt);
    const result = { runId, ...fired };
    try {
      await startChild(process.workflowType, {
        workflowId: runId,
        taskQueue: ORCHESTRATION_TASK_QUEUE,
        args: [input],
        // The run outlives this launcher, which ends once the run has started.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { process: process.name, scheduleId: launch.scheduleId, firedAt: fired.firedAt },
        typedSearchAttributes: [
          { key: SA.client, value: client },
          { key: SA.process, value: process.name },
          { key: SA.businessRef, value: businessRef },
        ],
      });
    } catch (err) {
      // Started by someone else since the state was read: still one run of the item.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      return { kind: 'refused', ...result, reason: `${businessRef} already started as ${runId}` };
    }
    return { kind: 'started', ...result };
  };
}
