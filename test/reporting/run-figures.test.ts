// The runs behind each figure (the portal's drill-down) and the backlog series, on the generated
// month of work: each figure's list has exactly as many runs as the KPI it stands behind, and the
// backlog at each week's end equals a count from the test's own record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunFactStore } from '../../reporting/fact-store';
import { computeKpis } from '../../reporting/kpis';
import { bucketsOf, periodBounds } from '../../reporting/periods';
import { backlogAtEnds, type OpenItem } from '../../reporting/backlog';
import { FIGURE_SQL, type RunFigure } from '../../reporting/run-figures';
import { LEVELS, monthOfWork } from './month-of-work';

const record = monthOfWork(300, 11);
let store: RunFactStore;

beforeAll(async () => {
  store = await RunFactStore.open(':memory:', LEVELS);
  await store.upsert(record.map((r) => r.fact));
});
afterAll(() => store?.close());

describe('runs behind the figures', () => {
  it('lists as many runs under each figure as the KPI counts', async () => {
    const level = LEVELS[0]!;
    const tz = level.calendar.timeZone;
    const { fromMs, toMs } = periodBounds('2026-11', tz)!;
    const k = await computeKpis(store, { client: level.client, process: 'claim-review', fromMs, toMs, granularity: 'week', timeZone: tz, level });
    const count = async (figure: RunFigure) => {
      const rule = FIGURE_SQL[figure];
      const clock = rule.byEntry ? 'started_ms' : 'closed_ms';
      const [row] = await store.query(`SELECT count(*) AS n FROM run_facts WHERE client = ? AND ${clock} >= ? AND ${clock} < ? AND ${rule.where}`, [level.client, fromMs, toMs]);
      return Number(row!.n);
    };
    const want: Record<RunFigure, number> = {
      completed: k.volume.completed,
      'within-target': k.turnaround.withinTarget,
      breached: k.turnaround.breaches,
      'straight-through': k.straightThrough.items,
      'human-touched': k.operators.touchedItems,
      'qa-reviewed': k.quality.reviewed,
      'qa-failed': k.quality.reviewed - k.quality.passed,
      'business-exception': k.exceptions.business.items,
      'system-exception': k.exceptions.system.items,
      failed: k.volume.failed,
      cancelled: k.volume.cancelled,
    };
    for (const figure of Object.keys(want) as RunFigure[]) expect(await count(figure), figure).toBe(want[figure]);
    expect(want.breached).toBeGreaterThan(0);
    expect(want['qa-failed']).toBeGreaterThan(0);
  });

  it('counts the backlog at each bucket’s end from closed runs and the open ones', async () => {
    const level = LEVELS[1]!;
    const tz = level.calendar.timeZone;
    const { fromMs, toMs } = periodBounds('2026-11', tz)!;
    const ends = bucketsOf(fromMs, toMs, 'week', tz).map((b) => b.toMs);
    const open: OpenItem[] = [{ runId: 'still-open', process: 'claim-review', receivedAt: '2026-11-10T12:00:00Z', ageMs: 0, ofTarget: null }];
    const nowMs = Date.parse('2026-11-20T00:00:00Z');
    const got = await backlogAtEnds(store, { client: level.client }, ends, open, nowMs);
    const mine = record.filter((r) => r.fact.client === level.client);
    const expected = ends.map((e) => {
      const t = Math.min(e, nowMs);
      const closedLater = mine.filter((r) => Date.parse(r.fact.receivedAt) < t && Date.parse(r.fact.closedAt) >= t).length;
      return closedLater + (Date.parse(open[0]!.receivedAt) < t ? 1 : 0);
    });
    expect(got).toEqual(expected);
    expect(Math.max(...got)).toBeGreaterThan(1);
  });
});
