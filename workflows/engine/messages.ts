// Moved to the shared contract (contract/messages.ts); this re-export keeps older import paths working.
export * from '../../contract/messages';
