// Moved beside the rest of webhooks (notifications/emit-event.ts); this re-export keeps older import paths working.
export * from '../notifications/emit-event';
