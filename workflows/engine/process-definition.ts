// A process's one declaration: everything the API, the workers and the inbox need to know about it,
// in the `definition.ts` of its folder. Nothing else names the process: the catalogue, the workflow
// bundle's entry, the bot worker's activities, the API routes and the OpenAPI document are all
// derived from the folders found (platform/process-catalogue.ts). See docs/AUTHORING.md.
import type { z } from 'zod';
import type { TaskForm } from './task-form';
import type { ServiceLevel } from './service-level';
import type { ProcessSchedule } from './scheduled-input';
import type { QaPolicyDefault } from './qa-policy';

export const ORCHESTRATION_TASK_QUEUE = 'tandem-orchestration';

/** The workflow function of a process: takes the parsed input, returns the run's outcome. */
export type ProcessWorkflow<I = never> = (input: I) => Promise<unknown>;

/** What a process folder declares. New fields (business-key policy, service levels) slot in here. */
export interface ProcessDeclaration<I extends z.ZodType = z.ZodType> {
  /** URL-safe name, e.g. `claim-review`; also the prefix of its run ids. Must equal the folder's name. */
  name: string;
  version: string;
  title: string;
  description: string;
  /** The workflow function itself (exported by the folder's `workflow.ts`); its name is the workflow type. */
  workflow: ProcessWorkflow<z.infer<I>>;
  input: I;
  taskForms: TaskForm[];
  /** The clients' contract terms for this process (versioned), read by reporting and the API. */
  serviceLevels?: readonly ServiceLevel[];
  /**
   * Each client's default QA sampling (engine/qa-policy.ts). Present: the process's input has a
   * `qaSampling` field, a run started without one takes the client's policy in force (changed
   * through GET/PUT /clients/{client}/qa-policies/{process}), and only supervisors and process
   * admins may set it in a start.
   */
  qaPolicies?: readonly QaPolicyDefault[];
  clientOf(input: z.infer<I>): string;
  /** The business item a run works (claim, pay period, delivery): the unit of "once", see run-identity.ts. */
  businessRefOf(input: z.infer<I>): string;
  /**
   * After a run of an item completed, may it be worked again? `supervisor` (default): only when a
   * supervisor asks, with a reason the audit keeps; `allowed`: any new start works it again.
   */
  reprocessing?: 'supervisor' | 'allowed';
  /**
   * What a cancelled run undoes for steps already done (POST /runs/{runId}/cancel), listed by
   * GET /processes. The workflow says how, under the same step and name (ProcessRun.compensateOnCancel,
   * engine/run-cancellation.ts); absent, a cancelled run only stops and withdraws its tasks.
   */
  compensations?: readonly ProcessCompensation[];
  /** Scheduled runs take their input from the fire time (defineSchedule, engine/scheduled-input.ts);
   *  absent, a schedule holds the whole input and every fire starts the same one. */
  schedule?: ProcessSchedule<z.infer<I>>;
}

export interface ProcessCompensation {
  /** The step made good, e.g. `enter-decision`. */
  step: string;
  /** The compensation's name, as the run records it, e.g. `reverse-adjudication`. */
  name: string;
  description: string;
}

export interface ProcessDefinition<I extends z.ZodType = z.ZodType> extends ProcessDeclaration<I> {
  /** The workflow type Temporal knows the workflow by: the workflow function's exported name. */
  readonly workflowType: string;
}

const PROCESS_DEFINITION = Symbol.for('tandem.process-definition');

export function defineProcess<I extends z.ZodType>(declaration: ProcessDeclaration<I>): ProcessDefinition<I> {
  if (!/^[a-z][a-z0-9-]*$/.test(declaration.name)) throw new Error(`Process name "${declaration.name}" must be lower-case letters, digits and dashes`);
  const workflowType = declaration.workflow?.name;
  if (!workflowType) throw new Error(`Process ${declaration.name}: \`workflow\` must be a named, exported workflow function`);
  return Object.defineProperty({ ...declaration, workflowType }, PROCESS_DEFINITION, { value: true });
}

/** True for what `defineProcess` returned: how discovery tells a declaration from other exports. */
export function isProcessDefinition(value: unknown): value is ProcessDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PROCESS_DEFINITION] === true;
}
