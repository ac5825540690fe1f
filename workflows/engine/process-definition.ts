// What the API needs to know about a process: how to validate a start, which workflow to run, and
// which task forms its human steps use. One definition per process folder.
import type { z } from 'zod';
import type { TaskForm } from './task-form';
import type { ServiceLevel } from './service-level';

export const ORCHESTRATION_TASK_QUEUE = 'tandem-orchestration';

export interface ProcessDefinition<I extends z.ZodType = z.ZodType> {
  /** URL-safe name, e.g. `claim-review`; also the prefix of its run ids. */
  name: string;
  version: string;
  title: string;
  description: string;
  /** Exported name of the workflow function in workflows/index.ts. */
  workflowType: string;
  input: I;
  taskForms: TaskForm[];
  /** The clients' contract terms for this process (versioned), read by reporting and the API. */
  serviceLevels?: readonly ServiceLevel[];
  clientOf(input: z.infer<I>): string;
  businessRefOf(input: z.infer<I>): string;
}

export function defineProcess<I extends z.ZodType>(definition: ProcessDefinition<I>): ProcessDefinition<I> {
  return definition;
}
