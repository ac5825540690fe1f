// The reporting periods live with the engine (the report workflow computes them too); the reporting side reads them here.
export * from '../workflows/engine/report-periods';
