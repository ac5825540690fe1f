// Which roles may call what: the one table routes take their `config.auth` from, so the access
// model reads in one place (and the table-driven test in test/api/access.test.ts checks it).
import { ROLES, type Role } from './principal';

/** Anyone signed in: reading processes, a run of one's own clients, who one is. */
export const ANYONE: readonly Role[] = ROLES;
/** Starting runs: people and machines that schedule work. */
export const RUN_STARTERS: readonly Role[] = ['scheduler', 'process-admin', 'supervisor'];
/** Working the inbox. */
export const TASK_WORKERS: readonly Role[] = ['operator', 'supervisor'];
/** Moving tasks between people and teams. */
export const TASK_SUPERVISORS: readonly Role[] = ['supervisor'];
/** Cancelling a run (the run checks the same roles again: workflows/engine/run-cancellation.ts). */
export const RUN_CANCELLERS: readonly Role[] = ['supervisor', 'process-admin'];
/** Reading who did what. */
export const AUDIT_READERS: readonly Role[] = ['operator', 'supervisor', 'process-admin', 'client-viewer'];
/** Screenshots and traces of a run. */
export const ARTIFACT_READERS: readonly Role[] = ['operator', 'supervisor', 'process-admin', 'client-viewer'];
/** Decoding encrypted payloads for the Temporal UI. */
export const PAYLOAD_READERS: readonly Role[] = ['supervisor', 'process-admin'];
/** Webhook subscriptions of one's clients, their deliveries and dead letters. */
export const WEBHOOK_MANAGERS: readonly Role[] = ['process-admin', 'supervisor'];
/** Reading item batches of one's clients: their progress and items. */
export const BATCH_READERS: readonly Role[] = ['operator', 'supervisor', 'scheduler', 'process-admin', 'client-viewer'];
/** Adding items to a batch and postponing them is starting work: the run starters. */
export const BATCH_FEEDERS: readonly Role[] = RUN_STARTERS;
/** Schedules of runs for one's clients: creating, reading, pausing, triggering, backfilling them. */
export const SCHEDULE_MANAGERS: readonly Role[] = ['scheduler', 'process-admin', 'supervisor'];
/** A client's service levels, KPIs and service reports: the provider's leads and the client's own viewers. */
export const REPORT_READERS: readonly Role[] = ['supervisor', 'process-admin', 'client-viewer'];
/** A client's service-report schedules: created, paused and removed by the provider's leads (readers see them). */
export const REPORT_SCHEDULERS: readonly Role[] = ['process-admin', 'supervisor'];
/** Reading a client's QA sampling policy: the provider's leads and the client's own viewers. */
export const QA_POLICY_READERS: readonly Role[] = ['supervisor', 'process-admin', 'client-viewer'];
/** Changing a client's QA policy, or setting a run's own sampling at its start. */
export const QA_POLICY_MANAGERS: readonly Role[] = ['supervisor', 'process-admin'];
