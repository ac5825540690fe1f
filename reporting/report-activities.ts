// The reporting activity the service-report workflows call: brings the reporting store up to date
// with Temporal (every run closed so far, so a report of a period that just closed is complete),
// then reads each process's KPIs for the period and checks them against the service level.
import type { ReportActivities } from '../contract/service-reports';
import type { KpiReport } from './kpi-report';
import { periodBounds } from './periods';
import { breachesOf, processSummary } from './service-report';

export type { ReportActivities, ReportRequest } from '../contract/service-reports';

/** What the activity reads: the API's ClientOversight is one (kept structural, so reporting imports nothing above it). */
export interface OversightSource {
  timeZoneOf(client: string): string;
  refresh(): Promise<void>;
  serviceLevels(client: string): ReadonlyArray<{ process: string }>;
  report(client: string, period: string, process?: string): Promise<KpiReport | undefined>;
}

export function createReportActivities(oversight: OversightSource, now: () => number = Date.now): ReportActivities {
  return {
    async compileServiceReport({ client, period, final }) {
      const bounds = periodBounds(period, oversight.timeZoneOf(client));
      if (!bounds) throw new Error(`Not a period: ${period}`);
      await oversight.refresh();
      const processes = [...new Set(oversight.serviceLevels(client).map((l) => l.process))].sort();
      const summaries = [];
      for (const process of processes) {
        const report = await oversight.report(client, period, process);
        summaries.push(processSummary(process, report!));
      }
      return {
        client,
        period,
        from: new Date(bounds.fromMs).toISOString(),
        to: new Date(bounds.toMs).toISOString(),
        processes: summaries,
        breaches: breachesOf(client, period, summaries, final, new Date(now()).toISOString()),
      };
    },
  };
}
