// A client's service report for one closed period, as a webhook carries it: per process, the
// contract's three measurable targets (turnaround attainment, QA pass rate, straight-through rate)
// against what the period measured, and the targets missed. Pure: the report workflow imports the
// types, the reporting activity computes it from the KPIs.
import type { KpiReport } from './kpi-report';
import { RUNNING_CHECK_MINIMUM, type ProcessSummary, type ServiceLevelBreach, type ServiceLevelTarget } from '../contract/service-reports';

export { RUNNING_CHECK_MINIMUM, SERVICE_LEVEL_TARGETS, ProcessSummary, ServiceLevelBreach, ServiceReportSummary, type ServiceLevelTarget } from '../contract/service-reports';

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
