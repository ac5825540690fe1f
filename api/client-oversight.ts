// What a client sees of its contract: service levels, KPIs over a period and the period's service
// report, from the reporting store (kept current from Temporal) and live backlog from Temporal.
import type { Client } from '@temporalio/client';
import type { ProcessDefinition } from '../workflows/engine/process-definition';
import { localDateOf } from '../workflows/engine/business-calendar';
import { serviceLevelFor, type ServiceLevel } from '../workflows/engine/service-level';
import { RunFactStore } from '../reporting/fact-store';
import { RunFactFeed } from '../reporting/fact-feed';
import { computeKpis } from '../reporting/kpis';
import { backlogAtEnds, backlogOf, openItems } from '../reporting/backlog';
import { FIGURE_SQL, type RunFigure } from '../reporting/run-figures';
import { bucketsOf, periodBounds, type Granularity } from '../reporting/periods';
import type { KpiReport } from '../reporting/kpi-report';
import { ReportSchedules } from './report-schedules';

export interface KpiRequest {
  client: string;
  process?: string;
  fromMs?: number;
  toMs?: number;
  granularity?: Granularity;
}

const FINER: Record<Granularity, Granularity> = { month: 'week', week: 'day', day: 'day' };

export class ClientOversight {
  private lastPass = 0;
  /** The client's report schedules, delivered reports and breaches (Temporal keeps them). */
  readonly reportSchedules: ReportSchedules;

  constructor(
    readonly temporal: Client,
    readonly store: RunFactStore,
    readonly feed: RunFactFeed,
    private readonly processes: readonly ProcessDefinition[],
    /** A read newer than this reuses the store as it is; older first catches up with Temporal. */
    private readonly freshnessMs = 2_000,
    private readonly now: () => number = Date.now,
    /** Where report schedules start their runs (tests give each worker its own queue). */
    reportTaskQueue?: string,
  ) {
    this.reportSchedules = new ReportSchedules(temporal, (client) => this.timeZoneOf(client), reportTaskQueue);
  }

  static async open(temporal: Client, processes: readonly ProcessDefinition[], path = ':memory:', options: { reportTaskQueue?: string } = {}): Promise<ClientOversight> {
    const store = await RunFactStore.open(path, processes.flatMap((p) => p.serviceLevels ?? []));
    return new ClientOversight(temporal, store, new RunFactFeed(temporal, store), processes, undefined, undefined, options.reportTaskQueue);
  }

  /** Every version of every process's service level for the client. */
  serviceLevels(client: string): ServiceLevel[] {
    return this.processes.flatMap((p) => p.serviceLevels ?? []).filter((l) => l.client === client);
  }

  hasProcess(name: string): boolean {
    return this.processes.some((p) => p.name === name);
  }

  /** The client's time zone: its first service level's calendar (UTC without one). */
  timeZoneOf(client: string): string {
    return this.serviceLevels(client)[0]?.calendar.timeZone ?? 'UTC';
  }

  levelAt(client: string, process: string, atMs: number): ServiceLevel | undefined {
    return serviceLevelFor(this.serviceLevels(client), client, process, localDateOf(new Date(atMs), this.timeZoneOf(client)));
  }

  async kpis(request: KpiRequest): Promise<KpiReport> {
    const nowMs = this.now();
    const tz = this.timeZoneOf(request.client);
    const month = periodBounds(localDateOf(new Date(nowMs), tz).slice(0, 7), tz)!;
    const fromMs = request.fromMs ?? month.fromMs;
    const toMs = request.toMs ?? month.toMs;
    await this.fresh();
    const level = request.process ? this.levelAt(request.client, request.process, Math.max(fromMs, toMs - 1)) : undefined;
    const report = await computeKpis(this.store, { client: request.client, process: request.process, fromMs, toMs, granularity: request.granularity ?? 'week', timeZone: tz, level });
    const items = await openItems(this.temporal, request.client, request.process, (p) => this.levelAt(request.client, p, nowMs), nowMs);
    const ends = bucketsOf(fromMs, toMs, request.granularity ?? 'week', tz).map((b) => b.toMs);
    const backlogs = await backlogAtEnds(this.store, request, ends, items, nowMs);
    const series = report.series.map((point, i) => ({ ...point, backlog: backlogs[i] }));
    return { ...report, series, backlog: backlogOf(items, level?.turnaround.atRiskRatio ?? 0.8, nowMs) };
  }

  /** A month (`2026-11`), ISO week (`2026-W48`) or day, in the client's time zone; undefined if unreadable. */
  async report(client: string, period: string, process?: string): Promise<KpiReport | undefined> {
    const bounds = periodBounds(period, this.timeZoneOf(client));
    if (!bounds) return undefined;
    return this.kpis({ client, process, fromMs: bounds.fromMs, toMs: bounds.toMs, granularity: FINER[bounds.granularity] });
  }

  /** The runs behind a period's figures (all closed runs, or one figure's), for drill-down and CSV export. */
  async items(client: string, fromMs: number, toMs: number, process?: string, limit = 10_000, figure?: RunFigure): Promise<Array<Record<string, unknown>>> {
    await this.fresh();
    const rule = figure ? FIGURE_SQL[figure] : undefined;
    const clock = rule?.byEntry ? 'started_ms' : 'closed_ms';
    return this.store.query(
      `SELECT run_id, process, business_ref, status, outcome, received_ms, closed_ms, turnaround_ms, within_target, human_tasks,
              handle_ms, bot_ms, business_exceptions, system_exceptions, qa_result, qa_reason, cost
       FROM run_facts WHERE client = ? ${process ? 'AND process = ?' : ''} AND ${clock} >= ? AND ${clock} < ? ${rule ? `AND ${rule.where}` : ''}
       ORDER BY ${clock} DESC, run_id LIMIT ${Math.floor(limit)}`,
      process ? [client, process, fromMs, toMs] : [client, fromMs, toMs],
    );
  }

  /** Catches up with Temporal now, whatever the last pass: a report must include every run closed before it. */
  async refresh(): Promise<void> {
    // A pass already under way may have begun before the last runs closed: wait for it, then read again.
    await this.feed.catchUp();
    await this.feed.catchUp();
    this.lastPass = this.now();
  }

  async fresh(): Promise<void> {
    if (this.now() - this.lastPass < this.freshnessMs) return;
    await this.feed.catchUp();
    this.lastPass = this.now();
  }

  async close(): Promise<void> {
    await this.feed.stop();
    this.store.close();
  }
}
