// Every workflow the orchestration worker runs. Only workflow modules belong here: this file is
// the entry of the deterministic workflow bundle.
export { claimReview } from './claim-review/workflow';
export { manualTask } from './manual-task/workflow';
export { payrollRun } from './payroll-run/workflow';
export { dataEntry } from './data-entry/workflow';
export { itemBatch, batchItem } from './engine/item-batch-workflow';
