// Turns the inbox benchmark's samples into its table, ratios and RESULTS.md section.
import type { LoadReport } from './inbox-load';
import type { IndexSample, VisibilitySample } from './inbox-samples';
import { describeMachine, type Machine, type Revision } from './machine';
import { ratio, summarize, table, type Row, type Summary } from './stats';

export interface InboxConfig {
  tasks: number;
  samples: number;
  block: number;
  warmup: number;
  workers: number;
  loadConcurrency: number;
  pageSize: number;
  queryConcurrency: number;
  seed: number;
  /** SQLite pragmas Temporal ran with for the whole run ('' = the dev server's defaults). */
  sqlitePragmas: string;
}

export interface InboxFigures {
  rows: Row[];
  ratios: { total: { p50: number; p99: number }; find: { p50: number; p99: number } };
  breakdown: Record<string, Summary>;
  baselineRank: Summary;
  baselinePickedPriority1: number;
  staleOnPage: Summary;
  queryFailures: number;
  claimConflicts: number;
  /** Samples slower than STALL_MS, per path: the tail, where it comes from. */
  stalls: { index: number; visibility: number; visibilityQueries: number };
}

const STALL_MS = 5000;

export function figures(a: Array<IndexSample & { rank: number; priority: number }>, b: Array<VisibilitySample & { rank: number; priority: number }>): InboxFigures {
  const ours = summarize(a.map((s) => s.totalMs));
  const takeNext = summarize(a.map((s) => s.takeNextMs));
  const base = summarize(b.map((s) => s.totalMs));
  const list = summarize(b.map((s) => s.listMs));
  return {
    rows: [
      { name: 'take-next + complete (Redis index, over HTTP)', summary: ours },
      { name: 'take-next alone (Redis index, over HTTP)', summary: takeNext },
      { name: 'baseline: visibility find + claim + complete', summary: base },
      { name: 'baseline: visibility list alone (1 page)', summary: list },
    ],
    ratios: { total: { p50: ratio(base.p50, ours.p50), p99: ratio(base.p99, ours.p99) }, find: { p50: ratio(list.p50, takeNext.p50), p99: ratio(list.p99, takeNext.p99) } },
    breakdown: {
      'index: take-next': takeNext,
      'index: complete': summarize(a.map((s) => s.completeMs)),
      'visibility: list': list,
      'visibility: queries': summarize(b.map((s) => s.queriesMs)),
      'visibility: claim Update': summarize(b.map((s) => s.claimMs)),
      'visibility: complete Update': summarize(b.map((s) => s.completeMs)),
    },
    baselineRank: summarize(b.map((s) => s.rank)),
    baselinePickedPriority1: b.filter((s) => s.priority === 1).length,
    staleOnPage: summarize(b.map((s) => s.staleOnPage)),
    queryFailures: b.reduce((n, s) => n + s.queryFailures, 0),
    claimConflicts: b.reduce((n, s) => n + s.claimConflicts, 0),
    stalls: {
      index: a.filter((s) => s.totalMs > STALL_MS).length,
      visibility: b.filter((s) => s.totalMs > STALL_MS).length,
      visibilityQueries: b.filter((s) => s.queriesMs > STALL_MS).length,
    },
  };
}

const x = (r: number): string => `${r.toFixed(1)}×`;

export function baselineText(cfg: InboxConfig): string {
  return (
    `The baseline lists the first page (pageSize ${cfg.pageSize}) of the visibility query ` +
    "`TandemTeams = 'bench-review' AND TandemOpenTasks > 0 AND ExecutionStatus = 'Running'`, " +
    `asks each run on that page for its open tasks with the \`tandem.run\` query (${cfg.queryConcurrency} in flight) to learn ` +
    'priority and due time (no search attribute carries them, and SQLite visibility has no ORDER BY), ' +
    'claims the most urgent task of that page with the `tandem.claimTask` Update and completes it with `tandem.completeTask`, ' +
    'straight to Temporal (no HTTP, no index mirroring: it is spared work ours does). ' +
    `It still only sees one page of ${cfg.pageSize} runs out of ${cfg.tasks}, not the global order.`
  );
}

export function ratioLines(f: InboxFigures): string[] {
  return [
    `baseline / ours, find + claim + complete: ${x(f.ratios.total.p50)} at p50, ${x(f.ratios.total.p99)} at p99`,
    `visibility list alone / take-next alone:  ${x(f.ratios.find.p50)} at p50, ${x(f.ratios.find.p99)} at p99`,
  ];
}

export function orderLine(f: InboxFigures, samples: number): string {
  return (
    `Global order: every take-next got the most urgent open task (0 more urgent left open); the baseline's pick had ` +
    `${f.baselineRank.p50} more urgent tasks open elsewhere at p50 (max ${f.baselineRank.max}), and was a priority-1 task in ` +
    `${f.baselinePickedPriority1} of ${samples} samples.`
  );
}

export function stallLine(f: InboxFigures, samples: number): string {
  return (
    `${f.stalls.index} of ${samples} take-next + complete samples and ${f.stalls.visibility} of ${samples} baseline samples took over ${STALL_MS / 1000} s; ` +
    `in ${f.stalls.visibilityQueries} baseline samples one of the page's queries alone waited over ${STALL_MS / 1000} s.`
  );
}

export function breakdownLines(f: InboxFigures): string[] {
  return Object.entries(f.breakdown).map(([name, s]) => `  ${name.padEnd(28)} p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms`);
}

export function loadLine(load: LoadReport): string {
  return (
    `Load: ${load.tasks} manual-task runs (${load.concurrency} starts in flight) started in ${(load.startsMs / 1000).toFixed(1)} s ` +
    `(${load.startsPerSec.toFixed(0)} runs/s); index and visibility both counted all of them after ${(load.readyMs / 1000).toFixed(1)} s ` +
    `(${load.readyPerSec.toFixed(0)} tasks/s; index at ${(load.indexReadyMs / 1000).toFixed(1)} s, visibility at ${(load.visibilityReadyMs / 1000).toFixed(1)} s).`
  );
}

export function markdownSection(args: {
  cfg: InboxConfig;
  f: InboxFigures;
  load: LoadReport;
  loadAvg: { start: number; end: number };
  machine: Machine;
  rev: Revision;
  date: string;
  checks: string[];
}): string {
  const { cfg, f, load, loadAvg, machine, rev, date } = args;
  return [
    `## Inbox: take-next + complete with ${cfg.tasks.toLocaleString('en-US')} open tasks (\`bench/inbox-take-next.ts\`)`,
    '',
    `${date}, commit \`${rev.commit}\`${rev.dirty ? ' (with uncommitted changes)' : ''}, ${describeMachine(machine)}.`,
    `N = ${cfg.tasks} open tasks, S = ${cfg.samples} samples per path, sequential (one operator at a time), ` +
      `blocks of ${cfg.block} in the order A B B A… after ${cfg.warmup} warm-up samples each; ${cfg.workers} orchestration worker(s). ` +
      `Machine load (1-min average): ${loadAvg.start.toFixed(1)} when timing began, ${loadAvg.end.toFixed(1)} when it ended.`,
    '',
    table(f.rows, true),
    '',
    ...ratioLines(f).map((l) => `- ${l}`),
    '',
    baselineText(cfg),
    '',
    orderLine(f, cfg.samples),
    '',
    'Where the time goes (p50 / p99, ms):',
    '',
    ...Object.entries(f.breakdown).map(([name, s]) => `- ${name}: ${s.p50.toFixed(1)} / ${s.p99.toFixed(1)}`),
    '',
    `Stalls: ${stallLine(f, cfg.samples)}`,
    '',
    loadLine(load),
    cfg.sqlitePragmas
      ? `Temporal ran with the SQLite pragmas \`${cfg.sqlitePragmas}\` for the whole run, not the dev server's defaults.`
      : 'Temporal ran on the dev server’s SQLite defaults (rollback journal, synchronous=FULL: an fsync per commit) for loading and timing alike.',
    '',
    `Checks: ${args.checks.join('; ')}.`,
  ].join('\n');
}
