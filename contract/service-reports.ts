// A client's service report as the report workflow, the reporting activity and the webhook see it:
// per process the contract's three measurable targets against what the period measured, and the
// targets missed. Shared by the workflow bundle (types and schemas only) and the reporting side.
import { z } from 'zod';

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

export interface ReportRequest {
  client: string;
  period: string;
  /** A closed period (every miss is a breach) or a running one (misses over enough items). */
  final: boolean;
}

/** The reporting activity the report workflows call (reporting/report-activities.ts makes it). */
export interface ReportActivities {
  compileServiceReport(request: ReportRequest): Promise<ServiceReportSummary>;
}
