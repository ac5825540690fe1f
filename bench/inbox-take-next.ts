// Benchmark: take-next + complete with N open tasks, through the API and the Redis inbox index,
// against finding the next task through a Temporal visibility query, measured in the same run.
//   npm run bench:inbox                                  # 10,000 tasks, 300 samples per path
//   npm run bench:inbox -- --tasks 2000 --samples 100    # a quick one
// Starts its own stack (profile `bench`), workers and API; stops them at the end, also on failure.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../api/app';
import { TaskIndex } from '../inbox/task-index';
import { loadConfig } from '../platform/config';
import { connectClient, type TemporalClient } from '../platform/temporal';
import { benchAuth } from './lib/auth';
import { CLIENT, COMPLETED_QUERY, TEAM, loadTasks, waitForCounts } from './lib/inbox-load';
import { baselineText, breakdownLines, figures, loadLine, markdownSection, orderLine, ratioLines, stallLine, type InboxConfig } from './lib/inbox-report';
import { CheckFailed, moreUrgentThan, viaIndex, viaVisibility, type IndexSample, type VisibilitySample } from './lib/inbox-samples';
import { describeMachine, machine, revision } from './lib/machine';
import { writeJson, writeResultsSection } from './lib/results';
import { onInterrupt, startStack, stopProfile, type BenchStack } from './lib/stack';
import { table } from './lib/stats';

const PROFILE = 'bench';
const PREFIX = 'bench';

const { values: flags } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '300' },
    block: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '25' },
    workers: { type: 'string', default: '1' },
    'load-concurrency': { type: 'string', default: '50' },
    'page-size': { type: 'string', default: '100' },
    'query-concurrency': { type: 'string', default: '20' },
    seed: { type: 'string', default: '42' },
    // e.g. journal_mode=wal,synchronous=off: Temporal's SQLite runs with these for the whole run. Loads
    // ~3× faster (the default journal waits for an fsync per commit), but the figures are then not on
    // the dev server's defaults. Restarting Temporal between loading and timing is no way out: right
    // after the restart, Updates and queries stalled for seconds.
    'sqlite-pragmas': { type: 'string', default: '' },
  },
});
const int = (name: keyof typeof flags, min: number): number => {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min} (got ${flags[name]})`);
  return value;
};
const cfg: InboxConfig = {
  tasks: int('tasks', 1),
  samples: int('samples', 1),
  block: int('block', 1),
  warmup: int('warmup', 0),
  workers: int('workers', 1),
  loadConcurrency: int('load-concurrency', 1),
  pageSize: int('page-size', 1),
  queryConcurrency: int('query-concurrency', 1),
  seed: int('seed', 0),
  sqlitePragmas: flags['sqlite-pragmas'] ?? '',
};
const pragmaArgs = (list: string): string => list.split(',').filter(Boolean).map((p) => `--sqlite-pragma ${p}`).join(' ');
if (cfg.tasks < 2 * (cfg.samples + cfg.warmup)) throw new Error(`--tasks must be at least 2 × (samples + warmup) = ${2 * (cfg.samples + cfg.warmup)}`);

const log = (line: string): void => console.log(line);

let stack: BenchStack | undefined;
let app: FastifyInstance | undefined;
let redis: Redis | undefined;
let temporalClient: TemporalClient | undefined;
async function cleanup(): Promise<void> {
  await app?.close().catch(() => undefined);
  redis?.disconnect();
  await temporalClient?.close().catch(() => undefined);
  await (stack ? stack.stop() : stopProfile(PROFILE));
}
const removeHooks = onInterrupt(cleanup);

async function main(): Promise<number> {
  const host = machine();
  log(`inbox take-next benchmark: ${cfg.tasks} tasks, ${cfg.samples} samples per path; ${describeMachine(host)}`);
  stack = await startStack(PROFILE, log, pragmaArgs(cfg.sqlitePragmas));
  const env = stack.env;
  await stack.startWorkers(cfg.workers, { TANDEM_REDIS_PREFIX: PREFIX, LOG_LEVEL: 'info' });
  // The same configuration (and so the same payload codec) as the workers get.
  temporalClient = await connectClient(loadConfig({ ...process.env, ...env }));
  const temporal = temporalClient.client;
  redis = new Redis(env.REDIS_URL!);
  const index = new TaskIndex(redis, { prefix: PREFIX });
  // The index fills as the runs publish their tasks; marked built from the start, so the API's
  // first take-next does not rebuild it from Temporal (a query per run) in the middle of timing.
  await index.markBuilt(new Date().toISOString());
  const { roster, auth, operators } = await benchAuth(TEAM, CLIENT);
  // No rate limit worth the name: the bench calls as fast as one operator at a time can.
  app = await buildApp({ temporal, index, roster, auth, ratePerMinute: 1_000_000, logger: false });
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  log(`API listening on ${apiUrl}`);

  log(`loading ${cfg.tasks} open tasks…`);
  const load = await loadTasks({ temporal, index, tasks: cfg.tasks, concurrency: cfg.loadConcurrency, seed: cfg.seed, log });
  log(loadLine(load));

  const seen = new Set<string>();
  let completed = 0;
  const record = (taskId: string): void => {
    if (seen.has(taskId)) throw new CheckFailed(`task ${taskId} was handed out twice`);
    seen.add(taskId);
    completed++;
  };
  const a: Array<IndexSample & { rank: number; priority: number }> = [];
  const b: Array<VisibilitySample & { rank: number; priority: number }> = [];
  let settleTimeouts = 0;
  const settle = async (): Promise<void> => {
    // Untimed: the previous block's decisions reach the index and visibility before the next block.
    await waitForCounts(temporal, index, cfg.tasks - completed, 15_000).catch(() => settleTimeouts++);
  };
  const runIndex = async (i: number, keep: boolean): Promise<void> => {
    const s = await viaIndex(apiUrl, operators[i % operators.length]!);
    record(s.taskId);
    if (keep) a.push({ ...s, rank: await moreUrgentThan(index, s.score), priority: Math.floor(s.score / 1e15) });
  };
  const runVisibility = async (i: number, keep: boolean): Promise<void> => {
    const s = await viaVisibility(temporal, operators[i % operators.length]!.actor, cfg);
    record(s.taskId);
    if (keep) b.push({ ...s, rank: await moreUrgentThan(index, s.score), priority: Math.floor(s.score / 1e15) });
  };

  log(`warm-up: ${cfg.warmup} samples per path`);
  for (let i = 0; i < cfg.warmup; i++) {
    await runIndex(i, false);
    await runVisibility(i, false);
  }
  log(`measuring ${cfg.samples} samples per path in blocks of ${cfg.block} (A B B A…)`);
  const loadAvg = { start: loadavg()[0]!, end: 0 };
  const t0 = performance.now();
  for (let blockNo = 0; a.length < cfg.samples || b.length < cfg.samples; blockNo++) {
    await settle();
    // A B B A A B B A…: neither path always goes first, and a drift in machine load hits both alike.
    const visibility = blockNo % 4 === 1 || blockNo % 4 === 2;
    const target = visibility ? b : a;
    const end = Math.min(cfg.samples, target.length + cfg.block);
    while (target.length < end) await (visibility ? runVisibility(target.length, true) : runIndex(target.length, true));
    if (blockNo % 4 === 3 || (a.length >= cfg.samples && b.length >= cfg.samples)) {
      log(`  ${a.length}/${cfg.samples} index, ${b.length}/${cfg.samples} visibility samples (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }

  loadAvg.end = loadavg()[0]!;
  log('checking the end state…');
  const checks: string[] = [];
  const failures: string[] = [];
  const check = (ok: boolean, text: string): void => void (ok ? checks : failures).push(text);
  const total = 2 * (cfg.warmup + cfg.samples);
  check(seen.size === total, `${seen.size} distinct tasks handed out for ${total} take-next/finds`);
  check(a.every((s) => s.rank === 0), `every take-next took the globally most urgent open task (max more-urgent left: ${Math.max(...a.map((s) => s.rank))})`);
  const after = await waitForCounts(temporal, index, cfg.tasks - total, 30_000).then(
    () => true,
    () => false,
  );
  check(after, `index and visibility both count ${cfg.tasks - total} open tasks after the run`);
  let completedRuns = -1;
  for (let tries = 0; tries < 60 && completedRuns !== total; tries++) {
    if (tries) await new Promise((r) => setTimeout(r, 500));
    completedRuns = (await temporal.workflow.count(COMPLETED_QUERY)).count;
  }
  check(completedRuns === total, `${completedRuns} completed runs for ${total} decisions (${cfg.warmup} warm-up + ${cfg.samples} measured, per path)`);
  checks.push('every complete answered 200');
  if (settleTimeouts) log(`note: ${settleTimeouts} block(s) started before the index and visibility had settled (15 s wait)`);

  const f = figures(a, b);
  log('');
  log(table(f.rows));
  log('');
  for (const line of ratioLines(f)) log(line);
  log('');
  log(baselineText(cfg));
  log(orderLine(f, cfg.samples));
  log(`Baseline page: ${f.staleOnPage.p50} stale runs at p50 (max ${f.staleOnPage.max}); ${f.queryFailures} failed queries; ${f.claimConflicts} claim conflicts.`);
  log(`Stalls: ${stallLine(f, cfg.samples)}`);
  log(`Machine load (1-min average) ${loadAvg.start.toFixed(1)} when timing began, ${loadAvg.end.toFixed(1)} when it ended (${host.cores} cores).`);
  log('Where the time goes:');
  for (const line of breakdownLines(f)) log(line);
  log('');
  for (const c of checks) log(`ok    ${c}`);
  for (const c of failures) log(`FAIL  ${c}`);

  const rev = revision();
  const date = new Date().toISOString();
  const json = await writeJson('inbox-take-next', { bench: 'inbox-take-next', date, revision: rev, machine: host, config: cfg, load, loadAvg, figures: f, checks, failures, settleTimeouts, samples: { index: a, visibility: b } });
  log(`\nwrote ${json}`);
  if (failures.length) {
    log('bench/RESULTS.md left unchanged: a check failed');
    return 1;
  }
  log(`rewrote the inbox section of ${await writeResultsSection('inbox-take-next', markdownSection({ cfg, f, load, loadAvg, machine: host, rev, date: date.slice(0, 10), checks }))}`);
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(err instanceof CheckFailed ? `CHECK FAILED: ${err.message}` : err);
} finally {
  await cleanup();
  removeHooks();
}
process.exit(code);
