// KPIs of one client (and process) over a period, computed in the reporting store by the rules of
// /work/shared/KPI-DEFINITIONS.md: completed items define the period (by their delivery), items
// that entered processing define exception rates, QA outcomes stay with the item's period.
import type { DuckDBValue } from '@duckdb/node-api';
import type { ServiceLevel } from '../workflows/engine/service-level';
import type { RunFactStore, SqlRow } from './fact-store';
import { bucketsOf, wilson95, type Granularity } from './periods';
import type { KpiReport } from './kpi-report';

export interface KpiQuery {
  client: string;
  process?: string;
  fromMs: number;
  toMs: number;
  granularity: Granularity;
  timeZone: string;
  /** The service level the targets come from (the newest in force for the period). */
  level?: ServiceLevel;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
/** Money to a millionth: sums of doubles differ in the last bits with the order rows are read in. */
const money = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e6) / 1e6);
const HISTOGRAM_HOURS = [1, 2, 4, 8, 16, 24, 48];

export async function computeKpis(store: RunFactStore, q: KpiQuery): Promise<Omit<KpiReport, 'backlog'>> {
  const scope = `client = ? ${q.process ? 'AND process = ?' : ''}`;
  const scoped: DuckDBValue[] = q.process ? [q.client, q.process] : [q.client];
  const completedIn = `${scope} AND closed_ms >= ? AND closed_ms < ?`;
  const args: DuckDBValue[] = [...scoped, q.fromMs, q.toMs];

  // The turnaround histogram's bins: up to 1 h, 2 h, … and over the last edge.
  const edges = HISTOGRAM_HOURS.map((h) => h * 3_600_000);
  const histogramBins = [...edges, null]
    .map((upTo, i) => {
      const above = i === 0 ? '' : `turnaround_ms > ${edges[i - 1]} AND `;
      return `count(*) FILTER (WHERE turnaround_ms IS NOT NULL AND ${above}${upTo === null ? 'TRUE' : `turnaround_ms <= ${upTo}`}) AS bin${i}`;
    })
    .join(',\n       ');
  // Every run closed in the period: the counts by status and the bot steps (bots work on failed runs too).
  const [all] = await store.query(
    `SELECT
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
       sum(bot_steps) AS bot_steps,
       sum(bot_failures) AS bot_failures
     FROM run_facts WHERE ${completedIn}`,
    args,
  );
  // Delivered items only (under WHERE, not FILTER: a quantile under FILTER is several times slower),
  // both quantiles from one sort, and the histogram.
  const [delivered] = await store.query(
    `SELECT
       count(*) AS completed,
       count(turnaround_ms) AS measured,
       count(*) FILTER (WHERE within_target) AS within_target,
       count(*) FILTER (WHERE NOT within_target) AS breaches,
       count(*) FILTER (WHERE human_tasks = 0 AND len(business_exceptions) = 0) AS stp,
       count(*) FILTER (WHERE coalesce(qa_result, '') <> 'fail') AS fpy,
       count(*) FILTER (WHERE human_tasks > 0) AS touched,
       sum(handle_ms) AS handle_ms,
       sum(wait_ms) AS wait_ms,
       sum(bot_ms) AS bot_ms,
       count(*) FILTER (WHERE qa_result IS NOT NULL) AS reviewed,
       count(*) FILTER (WHERE qa_result = 'pass') AS passed,
       sum(1 / qa_probability) FILTER (WHERE qa_result IS NOT NULL) AS reviewed_w,
       sum(1 / qa_probability) FILTER (WHERE qa_result = 'pass') AS passed_w,
       sum(cost) AS cost,
       quantile_cont(turnaround_ms::DOUBLE, [0.5, 0.9]) AS quantiles,
       ${histogramBins}
     FROM run_facts WHERE ${completedIn} AND status = 'completed'`,
    args,
  );
  const m: SqlRow = { ...all, ...delivered };
  const [p50, p90] = (delivered!.quantiles as Array<number | null> | null) ?? [null, null];

  const enteredIn = `${scope} AND started_ms >= ? AND started_ms < ?`;
  const [entered] = await store.query(
    `SELECT count(*) AS entered,
            count(*) FILTER (WHERE len(business_exceptions) > 0) AS business,
            count(*) FILTER (WHERE len(system_exceptions) > 0) AS system
     FROM run_facts WHERE ${enteredIn}`,
    args,
  );
  const pareto = async (col: string) =>
    (await store.query(`SELECT code, count(*) AS items FROM (SELECT unnest(${col}) AS code FROM run_facts WHERE ${enteredIn}) GROUP BY code ORDER BY items DESC, code LIMIT 20`, args)).map(
      (r) => ({ code: String(r.code), items: num(r.items) }),
    );

  const histogram = [...edges, null].map((upToMs, i) => ({ upToMs, items: num(delivered![`bin${i}`]) }));

  const buckets = bucketsOf(q.fromMs, q.toMs, q.granularity, q.timeZone);
  // A row's bucket by its close (delivered items) and by its entry (exceptions): one grouped scan
  // each, the bucket found by its start times (ascending), rather than a join of buckets and rows.
  const bucketOf = (col: string) => `CASE ${buckets.map((b, i) => `WHEN ${col} >= ${Math.floor(b.fromMs)} AND ${col} < ${Math.floor(b.toMs)} THEN ${i}`).join(' ')} END`;
  const closedRows = buckets.length
    ? await store.query(
        `SELECT ${bucketOf('closed_ms')} AS i,
           count(*) AS completed,
           count(*) FILTER (WHERE within_target) AS within_target,
           count(*) FILTER (WHERE NOT within_target) AS breaches,
           quantile_cont(turnaround_ms::DOUBLE, 0.9) AS p90
         FROM run_facts WHERE ${completedIn} AND status = 'completed' GROUP BY i`,
        args,
      )
    : [];
  const enteredRows = buckets.length
    ? await store.query(
        `SELECT ${bucketOf('started_ms')} AS i,
           count(*) FILTER (WHERE len(business_exceptions) > 0) AS business,
           count(*) FILTER (WHERE len(system_exceptions) > 0) AS system
         FROM run_facts WHERE ${enteredIn} GROUP BY i`,
        args,
      )
    : [];
  const seriesRows = buckets.map((_, i) => ({ ...(closedRows.find((r) => r.i !== null && num(r.i) === i) ?? { p90: null }), ...(enteredRows.find((r) => r.i !== null && num(r.i) === i) ?? {}) }));

  const completed = num(m.completed);
  const reviewed = num(m.reviewed);
  const passRate = ratio(num(m.passed_w), num(m.reviewed_w));
  const level = q.level;
  return {
    client: q.client,
    process: q.process ?? null,
    from: new Date(q.fromMs).toISOString(),
    to: new Date(q.toMs).toISOString(),
    granularity: q.granularity,
    volume: { completed, failed: num(m.failed), cancelled: num(m.cancelled) },
    turnaround: {
      p50Ms: p50 === null || p50 === undefined ? null : num(p50),
      p90Ms: p90 === null || p90 === undefined ? null : num(p90),
      measured: num(m.measured),
      withinTarget: num(m.within_target),
      attainment: ratio(num(m.within_target), num(m.measured)),
      target: level?.turnaround.attainment ?? null,
      breaches: num(m.breaches),
      histogram,
    },
    straightThrough: { items: num(m.stp), rate: ratio(num(m.stp), completed), target: level?.straightThrough.target ?? null },
    firstPassYield: { items: num(m.fpy), rate: ratio(num(m.fpy), completed) },
    exceptions: {
      entered: num(entered!.entered),
      business: { items: num(entered!.business), rate: ratio(num(entered!.business), num(entered!.entered)), reasons: await pareto('business_exceptions') },
      system: { items: num(entered!.system), rate: ratio(num(entered!.system), num(entered!.entered)), reasons: await pareto('system_exceptions') },
    },
    operators: {
      touchedItems: num(m.touched),
      handleMinutes: num(m.handle_ms) / 60_000,
      avgHandleMinutes: ratio(num(m.handle_ms) / 60_000, num(m.touched)),
      avgWaitMinutes: ratio(num(m.wait_ms) / 60_000, num(m.touched)),
    },
    bots: { minutes: num(m.bot_ms) / 60_000, steps: num(m.bot_steps), failures: num(m.bot_failures), successRate: ratio(num(m.bot_steps) - num(m.bot_failures), num(m.bot_steps)) },
    quality: { reviewed, passed: num(m.passed), passRate, interval95: passRate === null ? null : wilson95(passRate, reviewed), target: level?.quality.passTarget ?? null },
    cost: { currency: level?.cost.currency ?? null, total: money(num(m.cost))!, perTransaction: money(ratio(num(m.cost), completed)), measured: true },
    series: buckets.map((b, i) => {
      const r: SqlRow = seriesRows[i] ?? {};
      return {
        bucket: b.label,
        completed: num(r.completed),
        withinTarget: num(r.within_target),
        attainment: ratio(num(r.within_target), num(r.completed)),
        breaches: num(r.breaches),
        businessExceptions: num(r.business),
        systemExceptions: num(r.system),
        p90TurnaroundMs: r.p90 === null || r.p90 === undefined ? null : num(r.p90),
      };
    }),
  };
}
