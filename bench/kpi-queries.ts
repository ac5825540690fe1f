// Benchmark: a month of 100,000 ClaimReview runs in the reporting store (DuckDB, in memory, as the
// API and the orchestration worker keep it), and the time of the KPI query, the service report and
// the runs behind a figure, beside the plain aggregate SQL and a COUNT(*) scan over the same table.
//   npm run bench:kpis                    # 100,000 runs, 30 repeats per path
//   npm run bench:kpis -- --quick         # 2,000 runs, 5 repeats: a smoke check (a few seconds)
// The facts are inserted straight into the store (RunFactStore.upsert, the call the feed makes
// with what it reads from Temporal), not run through Temporal: this measures the store's queries.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { describeMachine, machine, revision } from './lib/machine';
import { writeJson, writeResultsSection } from './lib/results';
import { runKpiBench, type KpiBenchResult } from './lib/kpi-month';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string' },
    repeats: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});
const runs = Number(flags.runs ?? (flags.quick ? 2_000 : 100_000));
const repeats = Number(flags.repeats ?? (flags.quick ? 5 : 30));
if (!Number.isInteger(runs) || runs < 100) throw new Error(`--runs must be an integer ≥ 100 (got ${flags.runs})`);
if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be an integer ≥ 1 (got ${flags.repeats})`);
const log = (line: string): void => console.log(line);

function markdown(r: KpiBenchResult, date: string, rev: ReturnType<typeof revision>, load: number[]): string {
  const base = r.timings['baseline: plain aggregate SQL']!.p50Ms;
  const lines = Object.entries(r.timings).map(([name, t]) => `| ${name} | ${t.p50Ms} | ${t.p95Ms} | ${t.maxMs} | ${base > 0 ? (t.p50Ms / base).toFixed(1) : '–'}× |`);
  return `## KPI queries: a month of ${r.runs.toLocaleString('en-US')} runs in the reporting store

${date}, commit \`${rev.commit.slice(0, 10)}\`${rev.dirty ? ' (uncommitted changes)' : ''}; ${describeMachine(machine())}; load average ${load[0]!.toFixed(1)} → ${load[1]!.toFixed(1)}.
\`npm run bench:kpis\`: ${r.runs.toLocaleString('en-US')} ClaimReview run facts for acme-health, November 2026 (seeded mix: 35 % operator-touched,
8 % business and 3 % system exceptions, 5 % QA-sampled, 3 % failed or cancelled), inserted straight into DuckDB in memory
(\`RunFactStore.upsertRows\`, not through Temporal: ${r.loadMs.derive} ms to derive the rows with the service level, ${r.loadMs.insert} ms to insert them).
${r.repeats} timed repeats per path, interleaved, after a warm-up each.

| path | p50 ms | p95 ms | max ms | p50 vs plain SQL |
|---|---|---|---|---|
${lines.join('\n')}

The service report is the store's part of \`GET /clients/{client}/reports/{period}\` and of the scheduled report
(the live backlog, a Temporal list of open runs, is not included). Target: a month of 100,000 runs reports in under a second.
- ${r.target}
${r.checks.map((c) => `- ok: ${c}`).join('\n')}
${r.failures.map((c) => `- FAIL: ${c}`).join('\n')}`.trim();
}

async function main(): Promise<number> {
  log(`KPI queries benchmark: ${runs} runs, ${repeats} repeats; ${describeMachine(machine())}`);
  const load = [loadavg()[0]!];
  const result = await runKpiBench(runs, repeats, log);
  load.push(loadavg()[0]!);
  for (const [name, t] of Object.entries(result.timings)) log(`${name.padEnd(58)} p50 ${String(t.p50Ms).padStart(8)} ms   p95 ${String(t.p95Ms).padStart(8)} ms`);
  log(result.target);
  for (const c of result.checks) log(`ok    ${c}`);
  for (const c of result.failures) log(`FAIL  ${c}`);
  if (flags['no-write']) return result.failures.length ? 1 : 0;
  const rev = revision();
  const date = new Date().toISOString();
  log(`wrote ${await writeJson('kpi-queries', { bench: 'kpi-queries', date, revision: rev, machine: machine(), loadAvg: load, ...result })}`);
  if (result.failures.length) {
    log('bench/RESULTS.md left unchanged: a check failed');
    return 1;
  }
  if (flags.quick) log('quick mode: bench/RESULTS.md left unchanged');
  else log(`rewrote the KPI section of ${await writeResultsSection('kpi-queries', markdown(result, date.slice(0, 10), rev, load))}`);
  return 0;
}

process.exitCode = await main();
