// What a human step takes and gives back (ProcessRun.humanTask, and an item's ctx.humanTask):
// types only, so the item batch's modules name them without importing the run itself.
import type { AttendedBotOffer } from './attended-bot';
import type { RecordedDecision, HumanTaskView } from './messages';
import type { TaskSla } from './sla';
import type { OpenTaskSpec } from './task-book';
import type { TaskDecision, TaskForm } from './task-form';

/** Attended bots an operator may launch from a task (`offerBot(declaration, input)`); each result lands in the task's context. */
export type TaskBots = Record<string, AttendedBotOffer>;

export interface HumanTaskSpec extends OpenTaskSpec {
  bots?: TaskBots;
  /** The task's deadline and escalation ladder. */
  sla?: TaskSla;
}

export interface HumanStepResult<F extends TaskForm> {
  task: HumanTaskView;
  decision: TaskDecision<F>;
  decidedBy: RecordedDecision['decidedBy'];
}
