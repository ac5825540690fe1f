import { defineProcess } from '../engine/process-definition';
import { manualTask } from './workflow';
import { ManualTaskInput, manualTaskForm } from './schema';

export const manualTaskProcess = defineProcess({
  name: 'manual-task',
  version: '1',
  title: 'Manual task',
  description: 'One decision by a person of the named team (approve, or reject with a reason); no bot.',
  workflow: manualTask,
  input: ManualTaskInput,
  taskForms: [manualTaskForm],
  clientOf: (input) => input.client,
  businessRefOf: (input) => input.reference,
});
