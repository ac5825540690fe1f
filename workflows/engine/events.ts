// Moved to the shared contract (contract/events.ts, contract/activities.ts); this re-export keeps older import paths working.
export * from '../../contract/events';
export type { NotificationActivities } from '../../contract/activities';
