// Reads a run's history with the client's own data converter: payloads go through its codecs
// first, so a run stays auditable once payload encryption lands.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { arrayFromPayloads, type Payload, type ProtoFailure, type SerializationContext } from '@temporalio/common';

export type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
type Timestamp = NonNullable<HistoryEvent['eventTime']>;

export interface FailureSummary {
  message: string;
  type?: string;
}

export class HistoryReader {
  private readonly namespace: string;

  constructor(
    private readonly client: Client,
    readonly runId: string,
  ) {
    this.namespace = client.options.namespace;
  }

  async events(): Promise<HistoryEvent[]> {
    return (await this.client.workflow.getHandle(this.runId).fetchHistory()).events ?? [];
  }

  /** Values of a workflow-owned payload list (start input, Update args and results, run result). */
  workflowValues(payloads: { payloads?: Payload[] | null } | null | undefined): Promise<unknown[]> {
    return this.decode(payloads?.payloads, { type: 'workflow', namespace: this.namespace, workflowId: this.runId });
  }

  /** Values of an activity's payloads, in that activity's serialisation context. */
  activityValues(activityId: string | null | undefined, payloads: { payloads?: Payload[] | null } | null | undefined): Promise<unknown[]> {
    const context: SerializationContext = { type: 'activity', namespace: this.namespace, workflowId: this.runId, isLocal: false };
    return this.decode(payloads?.payloads, activityId ? { ...context, activityId } : context);
  }

  private async decode(payloads: Payload[] | null | undefined, context: SerializationContext): Promise<unknown[]> {
    if (!payloads?.length) return [];
    const { payloadCodecs, payloadConverter } = this.client.options.loadedDataConverter;
    let decoded = payloads;
    // Codecs decode in reverse order of encoding, as the SDK's own helpers do.
    for (let i = payloadCodecs.length - 1; i >= 0; i--) decoded = await payloadCodecs[i]!.decode(decoded, context);
    return arrayFromPayloads(payloadConverter, decoded, context);
  }
}

export function isoOf(ts: Timestamp | null | undefined): string {
  if (!ts) return new Date(0).toISOString();
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : Number(ts.seconds?.toString() ?? 0);
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** Event ids are protobuf Longs (or numbers): a string key compares them safely. */
export function idKey(id: { toString(): string } | null | undefined): string {
  return id == null ? '' : id.toString();
}

/** What a failure says, without its stack or details: enough for an audit line. */
export function summariseFailure(failure: ProtoFailure | null | undefined): FailureSummary {
  if (!failure) return { message: 'unknown failure' };
  const type =
    failure.applicationFailureInfo?.type ??
    (failure.timeoutFailureInfo ? 'Timeout' : failure.canceledFailureInfo ? 'Cancelled' : failure.terminatedFailureInfo ? 'Terminated' : undefined);
  return { message: failure.message ?? 'unknown failure', ...(type ? { type } : {}) };
}
