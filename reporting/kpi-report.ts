// The KPI report's shape: one zod schema for the API's reply, the OpenAPI document and the portal.
import { z } from 'zod';

const Ratio = z.number().min(0).max(1).nullable();
const Reasons = z.array(z.object({ code: z.string(), items: z.number().int() }));

export const KpiSeriesPoint = z.object({
  bucket: z.string().describe('Local day, ISO week start or month'),
  completed: z.number().int(),
  withinTarget: z.number().int(),
  attainment: Ratio,
  breaches: z.number().int(),
  businessExceptions: z.number().int(),
  systemExceptions: z.number().int(),
  p90TurnaroundMs: z.number().nullable(),
  backlog: z.number().int().optional().describe('Items received and not yet closed at the bucket’s end (now, for a bucket not over yet)'),
});

export const KpiReport = z.object({
  client: z.string(),
  process: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  granularity: z.enum(['day', 'week', 'month']),
  volume: z.object({ completed: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }),
  turnaround: z.object({
    p50Ms: z.number().nullable(),
    p90Ms: z.number().nullable(),
    measured: z.number().int().describe('Completed items with a service level (the denominator)'),
    withinTarget: z.number().int(),
    attainment: Ratio,
    target: Ratio,
    breaches: z.number().int().describe('Completed items past their turnaround target'),
    histogram: z.array(z.object({ upToMs: z.number().nullable(), items: z.number().int() })),
  }),
  straightThrough: z.object({ items: z.number().int(), rate: Ratio, target: Ratio }),
  firstPassYield: z.object({ items: z.number().int(), rate: Ratio }),
  exceptions: z.object({
    entered: z.number().int().describe('Items that entered processing in the period'),
    business: z.object({ items: z.number().int(), rate: Ratio, reasons: Reasons }),
    system: z.object({ items: z.number().int(), rate: Ratio, reasons: Reasons }),
  }),
  operators: z.object({ touchedItems: z.number().int(), handleMinutes: z.number(), avgHandleMinutes: z.number().nullable(), avgWaitMinutes: z.number().nullable() }),
  bots: z.object({ minutes: z.number(), steps: z.number().int(), failures: z.number().int(), successRate: Ratio }),
  quality: z.object({
    reviewed: z.number().int(),
    passed: z.number().int(),
    passRate: Ratio.describe('Weighted by inverse sampling probability'),
    interval95: z.array(z.number()).length(2).nullable().describe('Wilson score interval: [low, high]'),
    target: Ratio,
  }),
  cost: z.object({ currency: z.string().nullable(), total: z.number(), perTransaction: z.number().nullable(), measured: z.literal(true) }),
  backlog: z
    .object({
      open: z.number().int(),
      buckets: z.object({ upTo50: z.number().int(), upTo80: z.number().int(), upTo100: z.number().int(), breached: z.number().int() }),
      oldestAgeMs: z.number().nullable(),
      asOf: z.string(),
    })
    .optional(),
  series: z.array(KpiSeriesPoint),
});
export type KpiReport = z.infer<typeof KpiReport>;
