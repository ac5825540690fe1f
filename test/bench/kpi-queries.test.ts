// Keeps bench/kpi-queries.ts from rotting: its core on a small month (the quick mode's mix). The
// figures are not judged here (too few runs to be a measurement); that every path ran and the
// report's counts agree with the plain SQL and with what the bench generated is.
import { describe, expect, it } from 'vitest';
import { runKpiBench } from '../../bench/lib/kpi-month';

describe('KPI queries bench', () => {
  it('loads a month, times every path beside its baselines, and the figures agree', async () => {
    const result = await runKpiBench(1_000, 2);
    expect(result.failures).toEqual([]);
    expect(result.checks).toHaveLength(3);
    expect(Object.keys(result.timings)).toHaveLength(5);
    for (const t of Object.values(result.timings)) expect(t.n).toBe(2);
  });
});
