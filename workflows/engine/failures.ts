// Moved to the shared contract (contract/failures.ts); this re-export keeps older import paths working.
export * from '../../contract/failures';
