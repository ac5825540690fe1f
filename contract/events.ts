// Business events a run raises (SLA breaches, failures, assignments…). The workflow emits them
// through the `emitEvent` activity; the notifier delivers them as signed webhooks. Each event id
// is derived from the run and what happened, so a retried activity or a replay never makes a
// second event (BullMQ job ids dedupe on it).
export const EVENT_TYPES = [
  'run.failed',
  'run.sla-breached',
  'task.assigned',
  'task.sla-breached',
  'task.sla-reminder',
  'task.sla-escalated',
  'task.auto-decided',
  'batch.finished-with-exceptions',
  // A client's service report of a closed period, and a service-level target missed
  // (workflows/engine/service-report.ts): their runId is the report's or the breach's run.
  'report.ready',
  'service-level.breached',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface TandemEvent {
  /** Unique and stable: `<runId>:<type>:<what>`, e.g. `claim-review-1:task.sla-breached:claim-review-1.t1:0`. */
  id: string;
  type: EventType;
  client: string;
  process: string;
  runId: string;
  taskId?: string;
  /** When it happened (workflow time). */
  at: string;
  data: Record<string, unknown>;
}
