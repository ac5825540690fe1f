// A client's service report for one closed period, as a webhook carries it: per process, the
// contract's three measurable targets (turnaround attainment, QA pass rate, straight-through rate)
// against what the period measured, and the targets missed. Pure: the report workflow imports the
// types, the reporting activity computes it from the KPIs.
import { z } from 'zod';
import type { KpiReport } from './kpi-report';

export const SERVICE_LEVEL_TARGETS = ['turnaround', 'quality', 'straight-through'] as const;
export type ServiceLevelTarget = (typeof SERVICE_LEVEL_TARGETS)[number];

/**
 * A running period's figure below target counts as a breach only over at least this many items:
 * the first late claim of the month is 0 % attainment, not yet a missed contract.
 */
export const RUNNING_CHECK_MINIMUM = 20;

const Figure = z.object({
  measured: z.number().nullable().describe('The period’s figure (a share, 0–1); null when nothing was measured'),
  target: z.number().nullable(),
  over: z.number().int().describe('Items the figure is measured over'),
  met: z.boolean().nullable().describe('null without a target or without items'),
});

export const ProcessSummary = z.object({
  process: z.string(),
  completed: z.number().int(),
  failed: z.number().int(),
  turnaround: Figure.extend({ p90Ms: z.number().nullable(), breaches: z.number().int() }),
  quality: Figure,
  straightThrough: Figure,
  costPerTransaction: z.number().nullable(),
  currency: z.string().nullable(),
});
export type ProcessSummary = z.infer<typeof ProcessSummary>;

export const ServiceLevelBreach = z.object({
  id: z.string().describe('service-level-breach.<client>.<process>.<period>.<target>: one per target and period'),
  client: z.string(),
  process: z.string(),
  period: z.string(),
  target: z.enum(SERVICE_LEVEL_TARGETS),
  measured: z.number(),
  required: z.number(),
  over: z.number().int(),
  final: z.boolean().describe('true: raised on the closed period’s report; false: raised while the period ran, its running figure already below target'),
  detectedAt: z.string(),
});
export type ServiceLevelBreach = z.infer<typeof ServiceLevelBreach>;

export const ServiceReportSummary = z.object({
  client: z.string(),
  period: z.string(),
  from: z.string(),
  to: z.string(),
  processes: z.array(ProcessSummary),
  breaches: z.array(ServiceLevelBreach).describe('Targets this period missed, as the check found them'),
});
export type ServiceReportSummary = z.infer<typeof ServiceReportSummary>;

export const breachId = (client: string, process: string, period: string, target: ServiceLevelTarget): string => `service-level-breach.${client}.${process}.${period}.${target}`;

const figure = (measured: number | null, target: number | null, over: number) => ({
  measured,
  target,
  over,
  met: measured === null || target === null || over === 0 ? null : measured >= target,
});

export function processSummary(process: string, r: KpiReport): ProcessSummary {
  return {
    process,
    completed: r.volume.completed,
    failed: r.volume.failed,
    turnaround: { ...figure(r.turnaround.attainment, r.turnaround.target, r.turnaround.measured), p90Ms: r.turnaround.p90Ms, breaches: r.turnaround.breaches },
    quality: figure(r.quality.passRate, r.quality.target, r.quality.reviewed),
    straightThrough: figure(r.straightThrough.rate, r.straightThrough.target, r.volume.completed),
    costPerTransaction: r.cost.perTransaction,
    currency: r.cost.currency,
  };
}

/** The targets a summary misses: every miss of a closed period; of a running one, misses over enough items. */
export function breachesOf(client: string, period: string, summaries: ProcessSummary[], final: boolean, detectedAt: string): ServiceLevelBreach[] {
  const minimum = final ? 1 : RUNNING_CHECK_MINIMUM;
  return summaries.flatMap((s) =>
    (
      [
        ['turnaround', s.turnaround],
        ['quality', s.quality],
        ['straight-through', s.straightThrough],
      ] as const
    ).flatMap(([target, f]) =>
      f.met === false && f.over >= minimum && f.measured !== null && f.target !== null
        ? [{ id: breachId(client, s.process, period, target), client, process: s.process, period, target, measured: f.measured, required: f.target, over: f.over, final, detectedAt }]
        : [],
    ),
  );
}
