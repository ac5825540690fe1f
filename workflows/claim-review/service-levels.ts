// ClaimReview's contract terms per client (versioned) and their QA sampling. Pure data: the
// workflow reads the QA policy from here, the API and the reporting store the targets.
import { defineServiceLevels, type QaSampling } from '../engine/service-level';

export const claimReviewServiceLevels = defineServiceLevels([
  {
    client: 'acme-health',
    process: 'claim-review',
    version: 1,
    effectiveFrom: '2026-01-01',
    calendar: { timeZone: 'America/New_York', opens: '08:00', closes: '18:00' },
    turnaround: { targetMs: 8 * 3600_000, clock: 'business', attainment: 0.95, atRiskRatio: 0.8 },
    quality: { passTarget: 0.98 },
    straightThrough: { target: 0.6 },
    cost: { currency: 'USD', operatorPerHour: 42, botPerHour: 6, perItemFee: 0.15 },
  },
  {
    client: 'globex-insurance',
    process: 'claim-review',
    version: 1,
    effectiveFrom: '2026-01-01',
    calendar: { timeZone: 'Europe/Berlin' },
    turnaround: { targetMs: 24 * 3600_000, clock: 'calendar', attainment: 0.9 },
    quality: { passTarget: 0.97 },
    straightThrough: { target: 0.5 },
    cost: { currency: 'EUR', operatorPerHour: 38, botPerHour: 5 },
  },
]);

/** QA sampling per client (absent: no sampling unless the run's input asks for it). */
const QA_BY_CLIENT: Record<string, QaSampling> = {};

export function qaPolicyFor(client: string): QaSampling | undefined {
  return QA_BY_CLIENT[client];
}
