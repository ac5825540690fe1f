// The reporting activity the service-report workflows call: brings the reporting store up to date
// with Temporal (every run closed so far, so a report of a period that just closed is complete),
// then reads each process's KPIs for the period and checks them against the service level.
import type { ClientOversight } from '../api/client-oversight';
import { periodBounds } from './periods';
import { breachesOf, processSummary, type ServiceReportSummary } from './service-report';

export interface ReportRequest {
  client: string;
  period: string;
  /** A closed period (every miss is a breach) or a running one (misses over enough items). */
  final: boolean;
}

export interface ReportActivities {
  compileServiceReport(request: ReportRequest): Promise<ServiceReportSummary>;
}

export function createReportActivities(oversight: ClientOversight, now: () => number = Date.now): ReportActivities {
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
