// The catalogue of processes this deployment offers (read by the API and the workers).
import type { ProcessDefinition } from './engine/process-definition';
import type { TaskForm } from './engine/task-form';
import { claimReviewProcess } from './claim-review/definition';
import { manualTaskProcess } from './manual-task/definition';
import { payrollRunProcess } from './payroll-run/definition';
import { dataEntryProcess } from './data-entry/definition';

export const PROCESSES: readonly ProcessDefinition[] = [claimReviewProcess, manualTaskProcess, payrollRunProcess, dataEntryProcess] as unknown as ProcessDefinition[];

export function findProcess(name: string): ProcessDefinition | undefined {
  return PROCESSES.find((p) => p.name === name);
}

export function findTaskForm(kind: string): TaskForm | undefined {
  return PROCESSES.flatMap((p) => p.taskForms).find((f) => f.kind === kind);
}
