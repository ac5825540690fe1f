// Moved to the shared contract (contract/batch-messages.ts); this re-export keeps older import paths working.
export * from '../../contract/batch-messages';
