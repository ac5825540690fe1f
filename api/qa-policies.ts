// Clients' QA sampling policies per process: the process's declared default (its
// service-levels.ts), changed through the API into a record kept in Temporal
// (workflows/engine/qa-policy-record.ts). Reads are a describe of the record's run (its memo), so
// they need no worker and see a change as soon as its Update returned; a change is an Update, so it
// needs the orchestration worker. Every run start asks for the policy in force (effective()).
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy } from '@temporalio/common';
import { ORCHESTRATION_TASK_QUEUE, type ProcessDefinition } from '../workflows/engine/process-definition';
import type { QaSampling } from '../workflows/engine/service-level';
import { qaPolicyOf, type QaPolicyDefault } from '../workflows/engine/qa-policy';
import {
  changeQaPolicyUpdate,
  memoOf,
  QA_POLICY_MEMO,
  QA_POLICY_WORKFLOW,
  QaPolicyFailureType,
  qaPolicyRunId,
  type QaPolicyMemo,
  type QaPolicyRecordState,
  type QaPolicyVersion,
} from '../workflows/engine/qa-policy-record';
import { problems } from './problems';

/** `declared`: a client without a changed record samples by its process's declaration; `off`: by nothing. */
export type QaDefaults = 'declared' | 'off';

export interface QaPolicyView extends QaPolicyMemo {
  /** Where the version in force comes from: the process's declaration, or a change through the API. */
  source: 'declared' | 'changed';
}

export interface QaPoliciesOptions {
  /** The deployment's records are apart from another's sharing the namespace (the Redis prefix; default `tandem`). */
  scope?: string;
  defaults?: QaDefaults;
}

export class QaPolicies {
  private readonly scope: string;
  private readonly defaults: QaDefaults;

  constructor(
    private readonly temporal: Client,
    private readonly processes: readonly ProcessDefinition[],
    options: QaPoliciesOptions = {},
  ) {
    this.scope = options.scope ?? 'tandem';
    this.defaults = options.defaults ?? 'declared';
  }

  /** The processes whose runs take a QA policy (their input has `qaSampling`). */
  sampled(process: string): ProcessDefinition | undefined {
    return this.processes.find((p) => p.name === process && p.qaPolicies !== undefined);
  }

  private runId(client: string, process: string): string {
    return qaPolicyRunId(this.scope === 'tandem' ? client : `${this.scope}:${client}`, process);
  }

  /** The declared default as version 1 of a client's record. */
  private declared(definition: ProcessDefinition, client: string): QaPolicyRecordState {
    const declaration: QaPolicyDefault | undefined = qaPolicyOf(definition.qaPolicies ?? [], client);
    const policy = this.defaults === 'declared' ? (declaration?.policy ?? null) : null;
    const since = declaration?.since ?? '2026-01-01';
    return { client, process: definition.name, versions: [{ version: 1, policy, changedBy: 'declaration', changedAt: `${since}T00:00:00.000Z` }] };
  }

  /** The policy in force and its history; 404 for a process without QA sampling. */
  async read(client: string, process: string): Promise<QaPolicyView> {
    const definition = this.sampled(process);
    if (!definition) throw problems.notFound(`Process ${process} takes no QA policy`);
    try {
      const description = await this.temporal.workflow.getHandle(this.runId(client, process)).describe();
      const memo = description.memo?.[QA_POLICY_MEMO] as QaPolicyMemo | undefined;
      if (memo) return { ...memo, source: memo.current.changedBy === 'declaration' ? 'declared' : 'changed' };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    return { ...memoOf(this.declared(definition, client)), source: 'declared' };
  }

  /** What a run starting now samples by: the version in force (null: none). */
  async effective(client: string, process: string): Promise<{ version: number; policy: QaSampling | null }> {
    const { current } = await this.read(client, process);
    return { version: current.version, policy: current.policy };
  }

  /** Records a new version (the record's run is started on the first change, from the declared default). */
  async change(client: string, process: string, change: { policy: QaSampling | null; by: string; note?: string; expectedVersion?: number }): Promise<QaPolicyVersion> {
    const definition = this.sampled(process);
    if (!definition) throw problems.notFound(`Process ${process} takes no QA policy`);
    const workflowId = this.runId(client, process);
    const initial = this.declared(definition, client);
    await this.temporal.workflow.start(QA_POLICY_WORKFLOW, {
      workflowId,
      taskQueue: ORCHESTRATION_TASK_QUEUE,
      args: [initial],
      memo: { [QA_POLICY_MEMO]: memoOf(initial) },
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });
    try {
      return await this.temporal.workflow.getHandle(workflowId).executeUpdate(changeQaPolicyUpdate, { args: [change] });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === QaPolicyFailureType.VersionConflict) {
        const current = (cause.details?.[0] as QaPolicyMemo | undefined)?.current;
        throw problems.qaPolicyChanged(cause.message, { field: 'body.expectedVersion', ...(current ? { current } : {}) });
      }
      if (cause instanceof ApplicationFailure && cause.type === QaPolicyFailureType.Invalid) throw problems.invalidRequest([{ field: 'body.policy', message: cause.message }]);
      throw err;
    }
  }
}
