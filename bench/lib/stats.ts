// Latency summaries and the plain-text table the benchmarks print.

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
  min: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    min: sorted[0] ?? Number.NaN,
  };
}

export interface Row {
  name: string;
  summary: Summary;
}

const fmt = (ms: number): string => (Number.isNaN(ms) ? '-' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** Columns p50, p90, p99, mean, max (ms) and n; `markdown` gives a GitHub table. */
export function table(rows: Row[], markdown = false): string {
  const head = ['', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'max ms', 'n'];
  const body = rows.map((r) => [r.name, fmt(r.summary.p50), fmt(r.summary.p90), fmt(r.summary.p99), fmt(r.summary.mean), fmt(r.summary.max), String(r.summary.n)]);
  if (markdown) {
    const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...body.map(line)].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const ratio = (baseline: number, ours: number): number => baseline / ours;
