// The suite's one table: each figure with ours, its same-run baseline, the ratio, the target and a
// verdict, plus the check against the last recorded run (a ratio more than 20% worse is a regression).
// Each figure's script contributes its rows; bench/all.ts prints them together.

export type Verdict = 'met' | 'missed' | 'info';

export interface Figure {
  /** Stable key: the regression check matches rows of two runs by it. */
  id: string;
  name: string;
  unit: string;
  ours: number;
  /** The same-run baseline, when the figure has one. */
  baseline?: number;
  /** ours / baseline (when there is a baseline). */
  ratio?: number;
  /** Which way is better, for the ratio (or the value, without a baseline). */
  better: 'lower' | 'higher';
  target: string;
  verdict: Verdict;
  note?: string;
}

export function figure(f: Omit<Figure, 'ratio'> & { ratio?: number }): Figure {
  const ratio = f.ratio ?? (f.baseline !== undefined && f.baseline > 0 ? f.ours / f.baseline : undefined);
  return { ...f, ...(ratio !== undefined && Number.isFinite(ratio) ? { ratio } : {}) };
}

export const verdictOf = (ok: boolean): Verdict => (ok ? 'met' : 'missed');

const num = (v: number | undefined, unit = ''): string => {
  if (v === undefined || Number.isNaN(v)) return '—';
  const text = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${text} ${unit}` : text;
};

export interface Regression {
  id: string;
  previous: number;
  now: number;
  /** What was compared: the ratio to the baseline, or the figure itself when it has none. */
  of: 'ratio' | 'value';
}

/** Figures more than 20% worse than in `previous` (ratio if both runs had one, else the value). */
export function regressions(now: Figure[], previous: Figure[]): Regression[] {
  const out: Regression[] = [];
  for (const f of now) {
    const p = previous.find((x) => x.id === f.id);
    if (!p) continue;
    const of = f.ratio !== undefined && p.ratio !== undefined ? 'ratio' : 'value';
    const a = of === 'ratio' ? p.ratio! : p.ours;
    const b = of === 'ratio' ? f.ratio! : f.ours;
    if (!(a > 0) || !Number.isFinite(b)) continue;
    const worse = f.better === 'lower' ? b > a * 1.2 : b < a * 0.8;
    if (worse) out.push({ id: f.id, previous: a, now: b, of });
  }
  return out;
}

const HEAD = ['figure', 'ours', 'baseline', 'ratio', 'target', 'verdict'];

function cells(f: Figure, regressed: Set<string>): string[] {
  const verdict = f.verdict === 'info' ? '—' : f.verdict;
  return [f.name, num(f.ours, f.unit), num(f.baseline, f.unit), f.ratio === undefined ? '—' : `${f.ratio.toFixed(2)}×`, f.target, regressed.has(f.id) ? `${verdict}, REGRESSED` : verdict];
}

/** The table: plain text for the console, or GitHub markdown. */
export function figureTable(figures: Figure[], opts: { markdown?: boolean; regressed?: Regression[] } = {}): string {
  const regressed = new Set((opts.regressed ?? []).map((r) => r.id));
  const body = figures.map((f) => cells(f, regressed));
  if (opts.markdown) {
    const line = (c: string[]): string => `| ${c.join(' | ')} |`;
    return [line(HEAD), line(['---', '---:', '---:', '---:', '---', '---']), ...body.map(line)].join('\n');
  }
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 0 || i >= 4 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function regressionLines(list: Regression[]): string[] {
  return list.map((r) => `REGRESSION ${r.id}: ${r.of} ${num(r.previous)} last recorded, ${num(r.now)} now (more than 20% worse)`);
}

/** The figures as a comment inside a RESULTS.md section, so the next run can compare against them. */
export const figuresComment = (figures: Figure[]): string => `<!-- figures ${JSON.stringify(figures.map(({ id, ours, ratio, better }) => ({ id, ours, ratio, better })))} -->`;

export function figuresFromMarkdown(markdown: string, section: string): Figure[] {
  const open = markdown.indexOf(`<!-- bench:${section} -->`);
  const close = markdown.indexOf(`<!-- /bench:${section} -->`);
  if (open < 0 || close < open) return [];
  const m = /<!-- figures (\[.*?\]) -->/s.exec(markdown.slice(open, close));
  if (!m) return [];
  try {
    return (JSON.parse(m[1]!) as Figure[]).map((f) => ({ ...f, name: f.id, unit: '', target: '', verdict: 'info' as const }));
  } catch {
    return [];
  }
}
