// An attended bot run tells its workflow when it starts and each time its progress step changes
// (a Signal, so the task's attendedRuns and the team's live feed show it): the person who pressed
// the button sees the bot working, not just "queued". Unattended steps report nothing.
import type { Context } from '@temporalio/activity';
import { ATTENDED_BOT_TASK_QUEUE } from '../../workflows/engine/attended-bot';
import { attendedBotReportSignal } from '../../workflows/engine/messages';

/** Between two reports of the same step; a new step is reported at once. */
const SAME_STEP_EVERY_MS = 1_000;

/** A reporter for the activity's progress, or undefined when it is not an attended run. */
export function attendedReporter(ctx: Context): ((progress: Record<string, unknown>) => void) | undefined {
  const { info } = ctx;
  const execution = info.workflowExecution;
  if (info.taskQueue !== ATTENDED_BOT_TASK_QUEUE || !execution) return undefined;
  let handle;
  try {
    handle = ctx.client.workflow.getHandle(execution.workflowId, execution.runId);
  } catch {
    return undefined; // no client (a test's mock environment): the run still works, unreported
  }
  let last: string | undefined;
  let lastStep: unknown;
  let lastAt = 0;
  // One report at a time, in order: two Signals in flight at once may land the other way round
  // (the page would show "reading the claim" before "signing in").
  let sent: Promise<unknown> = Promise.resolve();
  return (progress) => {
    const text = JSON.stringify(progress);
    if (text === last) return;
    const now = Date.now();
    if (last !== undefined && progress.step === lastStep && now - lastAt < SAME_STEP_EVERY_MS) return;
    [last, lastStep, lastAt] = [text, progress.step, now];
    // Best effort: a lost report only makes the page show less; the bot's outcome is the activity's.
    const report = { attendedRunId: info.activityId, attempt: info.attempt, progress };
    sent = sent.then(() => handle.signal(attendedBotReportSignal, report)).catch(() => undefined);
  };
}
