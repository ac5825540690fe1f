// Scale of waiting work: open N manual-task runs (each one task of the bench team), then, at each
// size: the time it took to open them (start → every task in the inbox index), take-next timed in
// parts (the index pick alone, straight against Redis; the claim Update alone) and whole over HTTP,
// the orchestration worker's resident memory and Redis's. Sizes grow in one run (1,000 then 10,000…),
// so "flat from 10k to 100k" is read off one run's rows.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { ORCHESTRATION_TASK_QUEUE } from '../../workflows/engine/process-definition';
import { claimTaskUpdate, runIdOfTask } from '../../workflows/engine/messages';
import type { ManualTaskInput } from '../../workflows/manual-task/schema';
import { BenchFailure, epochNow, sleep, takeNext } from './decisions';
import { figure, verdictOf, type Figure } from './figures';
import { CLIENT, TEAM, openQueueKey, prng } from './inbox-load';
import { summarize, type Summary } from './stats';
import type { SuiteStack } from './suite-stack';

export interface ScaleConfig {
  sizes: number[];
  /** take-next samples per path and size. */
  samples: number;
  loadConcurrency: number;
  seed: number;
}

export interface ScaleLevel {
  size: number;
  /** Loading this level's new runs: until every start returned, until the index held them all. */
  startsMs: number;
  readyMs: number;
  startsPerSec: number;
  readyPerSec: number;
  pick: Summary;
  claim: Summary;
  takeNextHttp: Summary;
  workerRssMiB: number;
  workerPeakRssMiB: number;
  redisUsedMiB: number;
  loadAvg: number;
}

export interface ScaleResult {
  config: ScaleConfig;
  idle: { workerRssMiB: number; redisUsedMiB: number };
  levels: ScaleLevel[];
  /** Tasks this bench claimed (left claimed: no longer open). */
  claimed: number;
}

const MiB = 2 ** 20;

export async function workerRss(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: (kb('VmRSS') * 1024) / MiB, peak: (kb('VmHWM') * 1024) / MiB };
}

export async function redisUsed(s: SuiteStack): Promise<number> {
  const info = await s.redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN) / MiB;
}

let opened = 0;

/** Opens `count` more manual-task runs of the bench team (seeded priorities, due 1 h–14 days out) and
 *  waits until the index holds `expectedOpen` open tasks of the team. */
export async function openTasks(s: SuiteStack, count: number, opts: { concurrency: number; seed: number; expectedOpen: number }, log: (line: string) => void) {
  const random = prng(opts.seed + opened);
  const now = Date.now();
  const t0 = performance.now();
  const from = opened;
  const to = opened + count;
  opened = to;
  let next = from;
  let lastPrint = t0;
  await Promise.all(
    Array.from({ length: Math.min(opts.concurrency, count) }, async () => {
      while (next < to) {
        const i = ++next;
        const input: ManualTaskInput = {
          client: CLIENT,
          reference: `WAIT-${String(i).padStart(7, '0')}`,
          title: `Waiting decision ${i}`,
          team: TEAM,
          priority: 1 + Math.floor(random() * 5),
          dueAt: new Date(Math.floor((now + 3_600_000 + random() * 13.96 * 86_400_000) / 1000) * 1000).toISOString(),
        };
        // As ProcessRuns.start does without an Idempotency-Key (the start figure times the API's own way).
        await s.temporal.client.workflow.start('manualTask', { taskQueue: ORCHESTRATION_TASK_QUEUE, workflowId: `manual-task-${randomUUID()}`, args: [input] });
        const t = performance.now();
        if (t - lastPrint > 10_000) {
          lastPrint = t;
          log(`  started ${next - from}/${count} runs (${(((next - from) * 1000) / (t - t0)).toFixed(0)} runs/s)`);
        }
      }
    }),
  );
  const startsMs = performance.now() - t0;
  const key = openQueueKey(s.index);
  const deadline = performance.now() + Math.max(300_000, count * 200);
  for (let lastLog = performance.now(); ; ) {
    const open = await s.redis.zcard(key);
    if (open >= opts.expectedOpen) break;
    if (performance.now() > deadline) throw new BenchFailure(`only ${open} of ${opts.expectedOpen} open tasks reached the index`);
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  index holds ${open}/${opts.expectedOpen} open tasks`);
    }
    await sleep(200);
  }
  const readyMs = performance.now() - t0;
  return { startsMs, readyMs, startsPerSec: (count * 1000) / startsMs, readyPerSec: (count * 1000) / readyMs };
}

/** Opens `count` more tasks, expecting them on top of what the index holds now (call it at rest). */
export async function topUpTasks(s: SuiteStack, count: number, concurrency: number, log: (line: string) => void): Promise<void> {
  const open = await s.redis.zcard(openQueueKey(s.index));
  log(`  opening ${count} more tasks (${open} open)…`);
  const load = await openTasks(s, count, { concurrency, seed: 7, expectedOpen: open + count }, log);
  log(`  opened in ${(load.readyMs / 1000).toFixed(1)} s (${load.readyPerSec.toFixed(0)} tasks/s)`);
}

export async function measureWaitingScale(s: SuiteStack, cfg: ScaleConfig, log: (line: string) => void): Promise<ScaleResult> {
  const pid = s.stack.pids.get('orchestration-1');
  if (!pid) throw new BenchFailure('no orchestration worker pid');
  const idle = { workerRssMiB: (await workerRss(pid)).rss, redisUsedMiB: await redisUsed(s) };
  const levels: ScaleLevel[] = [];
  let loaded = 0;
  let claimed = 0;
  for (const size of cfg.sizes) {
    log(`waiting work: opening tasks ${loaded + 1}–${size} (${cfg.loadConcurrency} starts in flight)…`);
    const load = await openTasks(s, size - loaded, { concurrency: cfg.loadConcurrency, seed: cfg.seed, expectedOpen: size - claimed }, log);
    loaded = size;
    log(`  ${size} open: starts ${load.startsPerSec.toFixed(0)} runs/s; all in the index after ${(load.readyMs / 1000).toFixed(1)} s (${load.readyPerSec.toFixed(0)} tasks/s)`);
    await sleep(2000);
    const pick: number[] = [];
    const claim: number[] = [];
    const http: number[] = [];
    for (let i = 0; i < 2 * cfg.samples; i++) {
      const op = s.operators[i % s.operators.length]!;
      if (Math.floor(i / 10) % 2 === 0) {
        const t0 = epochNow();
        const taskId = await s.index.reserveNext(TEAM, op.id, op.actor.clients);
        const t1 = epochNow();
        if (!taskId) throw new BenchFailure('index pick found no open task');
        const task = await s.temporal.client.workflow.getHandle(runIdOfTask(taskId)!).executeUpdate(claimTaskUpdate, { args: [{ taskId, actor: op.actor }] });
        const t2 = epochNow();
        await s.index.put(task); // untimed: what the desk's mirror does after the claim
        pick.push(t1 - t0);
        claim.push(t2 - t1);
      } else {
        const t0 = epochNow();
        const task = await takeNext(s.apiUrl, op, TEAM);
        http.push(epochNow() - t0);
        if (!task) throw new BenchFailure('take-next found no open task');
      }
      claimed++;
    }
    const mem = await workerRss(pid);
    const level: ScaleLevel = {
      size,
      ...load,
      pick: summarize(pick),
      claim: summarize(claim),
      takeNextHttp: summarize(http),
      workerRssMiB: mem.rss,
      workerPeakRssMiB: mem.peak,
      redisUsedMiB: await redisUsed(s),
      loadAvg: loadavg()[0]!,
    };
    levels.push(level);
    log(`  at ${size}: pick p50 ${level.pick.p50.toFixed(2)} / p99 ${level.pick.p99.toFixed(2)} ms; claim Update p50 ${level.claim.p50.toFixed(1)} / p99 ${level.claim.p99.toFixed(1)} ms; take-next over HTTP p50 ${level.takeNextHttp.p50.toFixed(1)} / p99 ${level.takeNextHttp.p99.toFixed(1)} ms; worker RSS ${level.workerRssMiB.toFixed(0)} MiB (peak ${level.workerPeakRssMiB.toFixed(0)}); Redis ${level.redisUsedMiB.toFixed(1)} MiB`);
  }
  return { config: cfg, idle, levels, claimed };
}

export function scaleFigures(r: ScaleResult): Figure[] {
  const first = r.levels[0];
  const last = r.levels[r.levels.length - 1];
  if (!first || !last) return [];
  const k = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
  const flat = r.levels.length > 1;
  const at10k = r.levels.find((l) => l.size === 10_000) ?? last;
  return [
    figure({ id: 'open-rate', name: `opening ${k(last.size)} waiting tasks (start → in the index)`, unit: 'tasks/s', ours: last.readyPerSec, better: 'higher', target: '—', verdict: 'info', note: `${(last.readyMs / 1000).toFixed(0)} s for the last ${k(last.size - (r.levels.at(-2)?.size ?? 0))}` }),
    figure({
      id: 'take-next-pick-p99',
      name: `take-next index pick p99 at ${k(last.size)}${flat ? ` (baseline: at ${k(first.size)})` : ''}`,
      unit: 'ms',
      ours: last.pick.p99,
      ...(flat ? { baseline: first.pick.p99 } : {}),
      better: 'lower',
      target: '< 5 ms, flat',
      verdict: verdictOf(last.pick.p99 < 5 && (!flat || last.pick.p99 <= Math.max(2 * first.pick.p99, first.pick.p99 + 1))),
    }),
    figure({ id: 'take-next-pick-p50', name: `take-next index pick p50 at ${k(last.size)}`, unit: 'ms', ours: last.pick.p50, ...(flat ? { baseline: first.pick.p50 } : {}), better: 'lower', target: '< 5 ms', verdict: verdictOf(last.pick.p50 < 5) }),
    figure({ id: 'claim-update-p99', name: `claim Update p99 at ${k(last.size)} (reported apart)`, unit: 'ms', ours: last.claim.p99, ...(flat ? { baseline: first.claim.p99 } : {}), better: 'lower', target: '—', verdict: 'info' }),
    figure({ id: 'take-next-http-p99', name: `take-next over HTTP p99 at ${k(last.size)}`, unit: 'ms', ours: last.takeNextHttp.p99, ...(flat ? { baseline: first.takeNextHttp.p99 } : {}), better: 'lower', target: '—', verdict: 'info' }),
    figure({
      id: 'worker-rss',
      name: `orchestration worker RSS at ${k(at10k.size)} (baseline: idle)`,
      unit: 'MiB',
      ours: at10k.workerRssMiB,
      baseline: r.idle.workerRssMiB,
      better: 'lower',
      target: '< 1024 MiB at 10k',
      verdict: at10k.size >= 10_000 ? verdictOf(at10k.workerRssMiB < 1024) : 'info',
    }),
    figure({ id: 'redis-memory', name: `Redis memory at ${k(last.size)} (baseline: empty)`, unit: 'MiB', ours: last.redisUsedMiB, baseline: r.idle.redisUsedMiB, better: 'lower', target: '—', verdict: 'info' }),
  ];
}
