// A client's QA sampling policy for one process, kept in Temporal: one run per (client, process),
// open for good, whose state is every version of the policy with who changed it and when. A change
// is a Workflow Update (validated before anything is written; a stale expected version is refused),
// and each change is published in the run's memo, so reading the policy (GET, and every run start)
// is a describe that needs no worker. Runs take the version in force at their start into their own
// input, so a change never alters a run in flight and sampling stays the same on replay.
import { allHandlersFinished, ApplicationFailure, condition, defineUpdate, makeContinueAsNewFunc, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import { QaSamplingSchema, type QaSampling } from './service-level';

/** The record's workflow type (its export name in the orchestration bundle). */
export const QA_POLICY_WORKFLOW = 'qaPolicyRecord';
/** Memo key of the record's current version and history. */
export const QA_POLICY_MEMO = 'tandem.qaPolicy';
/** Versions kept in the record (and shown by the API); older ones remain in the run's history. */
export const QA_POLICY_VERSIONS_KEPT = 50;

export const qaPolicyRunId = (client: string, process: string): string => `tandem-qa-policy:${client}:${process}`;

export const QaPolicyVersionSchema = z
  .object({
    version: z.number().int().min(1).describe('Increases with every change'),
    policy: QaSamplingSchema.nullable().describe('The sampling in force; null: no item of this client is sampled'),
    changedBy: z.string().describe('Who set this version: an operator or API key id, or `declaration` for the process’s declared default'),
    changedAt: z.iso.datetime().describe('When this version was set'),
    note: z.string().optional().describe('Why it was changed'),
  })
  .strict();
export type QaPolicyVersion = z.infer<typeof QaPolicyVersionSchema>;

export interface QaPolicyRecordState {
  client: string;
  process: string;
  /** Oldest first; the last is in force. */
  versions: QaPolicyVersion[];
}

/** What the memo holds: read back by the API (api/qa-policies.ts). */
export interface QaPolicyMemo {
  client: string;
  process: string;
  current: QaPolicyVersion;
  /** Newest first. */
  history: QaPolicyVersion[];
}

export interface QaPolicyChange {
  policy: QaSampling | null;
  by: string;
  note?: string;
  /** The version the caller read; another version in force refuses the change. */
  expectedVersion?: number;
}

export const changeQaPolicyUpdate = defineUpdate<QaPolicyVersion, [QaPolicyChange]>('changeQaPolicy');

export const QaPolicyFailureType = { VersionConflict: 'QaPolicyVersionConflict', Invalid: 'QaPolicyInvalid' } as const;

export const memoOf = (state: QaPolicyRecordState): QaPolicyMemo => ({
  client: state.client,
  process: state.process,
  current: state.versions[state.versions.length - 1]!,
  history: [...state.versions].reverse(),
});

/** The record's life: take changes until the history grows long, then go on as a new run with the kept versions. */
export async function qaPolicyRecord(initial: QaPolicyRecordState): Promise<void> {
  const state: QaPolicyRecordState = { ...initial, versions: [...initial.versions] };
  setHandler(
    changeQaPolicyUpdate,
    (change) => {
      const current = state.versions[state.versions.length - 1]!;
      const next: QaPolicyVersion = {
        version: current.version + 1,
        policy: change.policy === null ? null : QaSamplingSchema.parse(change.policy),
        changedBy: change.by,
        changedAt: new Date().toISOString(),
        ...(change.note ? { note: change.note } : {}),
      };
      state.versions = [...state.versions, next].slice(-QA_POLICY_VERSIONS_KEPT);
      upsertMemo({ [QA_POLICY_MEMO]: memoOf(state) });
      return next;
    },
    {
      validator: (change) => {
        const current = state.versions[state.versions.length - 1]!;
        if (change.expectedVersion !== undefined && change.expectedVersion !== current.version) {
          throw ApplicationFailure.nonRetryable(`Version ${current.version} is in force, not ${change.expectedVersion}`, QaPolicyFailureType.VersionConflict, memoOf(state));
        }
        if (change.policy !== null && !QaSamplingSchema.safeParse(change.policy).success) {
          throw ApplicationFailure.nonRetryable('Not a QA sampling policy', QaPolicyFailureType.Invalid);
        }
        if (!change.by) throw ApplicationFailure.nonRetryable('A change says who made it', QaPolicyFailureType.Invalid);
      },
    },
  );
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 2_000);
  await condition(allHandlersFinished);
  const continueAsNew = makeContinueAsNewFunc<typeof qaPolicyRecord>({ memo: { [QA_POLICY_MEMO]: memoOf(state) } });
  await continueAsNew(state);
}
