// Moved to the shared contract (contract/search-attributes.ts); this re-export keeps older import paths working.
export * from '../../contract/search-attributes';
