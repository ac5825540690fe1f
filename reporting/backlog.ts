// Open items of a client, aged against their turnaround target: read live from Temporal (running
// runs and the receipt time in their memo), so breaches cannot hide in the backlog.
import type { Client } from '@temporalio/client';
import { businessTimeBetween } from '../workflows/engine/business-calendar';
import { RECEIVED_AT_MEMO } from '../workflows/engine/run-facts';
import type { ServiceLevel } from '../workflows/engine/service-level';
import type { KpiReport } from './kpi-report';
import type { RunFactStore } from './fact-store';

export type Backlog = NonNullable<KpiReport['backlog']>;

export interface OpenItem {
  runId: string;
  process: string;
  receivedAt: string;
  ageMs: number;
  ofTarget: number | null;
}

export async function openItems(temporal: Client, client: string, process: string | undefined, levelOf: (process: string) => ServiceLevel | undefined, nowMs: number): Promise<OpenItem[]> {
  const query = `TandemClient = '${client}' AND ExecutionStatus = 'Running'${process ? ` AND TandemProcess = '${process}'` : ''}`;
  const items: OpenItem[] = [];
  for await (const run of temporal.workflow.list({ query, pageSize: 1000 })) {
    const processName = String(run.searchAttributes?.TandemProcess?.[0] ?? run.type);
    const receivedAt = String(run.memo?.[RECEIVED_AT_MEMO] ?? run.startTime.toISOString());
    const level = levelOf(processName);
    const received = new Date(receivedAt);
    const now = new Date(Math.max(nowMs, received.getTime()));
    const ageMs = level?.turnaround.clock === 'business' ? businessTimeBetween(received, now, level.calendar) : now.getTime() - received.getTime();
    items.push({ runId: run.workflowId, process: processName, receivedAt, ageMs, ofTarget: level ? ageMs / level.turnaround.targetMs : null });
  }
  return items;
}

export function backlogOf(items: OpenItem[], atRiskRatio: number, nowMs: number): Backlog {
  const buckets = { upTo50: 0, upTo80: 0, upTo100: 0, breached: 0 };
  for (const item of items) {
    const r = item.ofTarget ?? 0;
    if (r > 1) buckets.breached++;
    else if (r > atRiskRatio) buckets.upTo100++;
    else if (r > 0.5) buckets.upTo80++;
    else buckets.upTo50++;
  }
  return { open: items.length, buckets, oldestAgeMs: items.length ? Math.max(...items.map((i) => i.ageMs)) : null, asOf: new Date(nowMs).toISOString() };
}

/**
 * The backlog at each bucket's end (or now): items received before then and closed after, from the
 * store's closed runs plus the live open items, so the line ends at the live backlog's count.
 */
export async function backlogAtEnds(store: RunFactStore, scope: { client: string; process?: string }, ends: number[], open: OpenItem[], nowMs: number): Promise<number[]> {
  if (ends.length === 0) return [];
  const at = ends.map((e) => Math.min(e, nowMs));
  // One scan with a count per point (a join of points and rows on two ranges is many times slower).
  const counts = at.map((t, i) => `count(*) FILTER (WHERE received_ms < ${Math.floor(t)} AND closed_ms >= ${Math.floor(t)}) AS b${i}`).join(', ');
  const [row] = await store.query(
    `SELECT ${counts} FROM run_facts WHERE client = ? ${scope.process ? 'AND process = ?' : ''} AND received_ms < ? AND closed_ms >= ?`,
    [scope.client, ...(scope.process ? [scope.process] : []), Math.floor(Math.max(...at)), Math.floor(Math.min(...at))],
  );
  const rows = at.map((_, i) => ({ i, items: row?.[`b${i}`] ?? 0 }));
  const closedLater = new Map(rows.map((r) => [Number(r.i), Number(r.items)]));
  return at.map((t, i) => (closedLater.get(i) ?? 0) + open.filter((item) => Date.parse(item.receivedAt) < t).length);
}
