// ClaimReview's contract terms per client (versioned) and their default QA sampling. Pure data:
// the API and the reporting store read the targets; the API serves the QA defaults and hands the
// policy in force to each run it starts (api/qa-policies.ts), so the workflow never reads them.
import { defineServiceLevels } from '../engine/service-level';
import { defineQaPolicies } from '../engine/qa-policy';

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

/**
 * Four-eyes sampling each client agreed to: a share of the claims the bot approved on its own, a
 * share of those a reviewer decided, every decision of the operators still in their first weeks,
 * and every claim from an amount up. Reviews go to the claims-qa team.
 */
export const claimReviewQaPolicies = defineQaPolicies([
  {
    client: 'acme-health',
    since: '2026-01-01',
    policy: { botRate: 0.05, humanRate: 0.02, alwaysForOperators: ['ben.okafor'], alwaysAtOrAboveCents: 1_000_000, team: 'claims-qa' },
  },
  {
    client: 'globex-insurance',
    since: '2026-01-01',
    policy: { botRate: 0.1, humanRate: 0.05, alwaysForOperators: ['carla.souza'], alwaysAtOrAboveCents: 2_500_000, team: 'claims-qa' },
  },
]);
