// The bot-throughput benchmark's core: the ClaimReview `extractClaim` bot step three ways in one run
// (pooled bot worker, launch-a-browser-per-item bot worker, bare Playwright loop), the same items
// and concurrency for each, in interleaved rounds so a drift in machine load hits all three alike.
// Used by bench/bot-throughput.ts (the real stack) and by its smoke test (the test stack).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { ArtifactStore } from '../../activities/artifacts';
import type { BotRuntime } from '../../activities/bots/bot-activity';
import { StaticClientApps } from '../../activities/bots/client-apps';
import { BrowserPool } from '../../bots/runtime/browser-pool';
import type { LoginSessions } from '../../bots/runtime/login-sessions';
import type { WorkerTemporal } from '../../platform/temporal';
import type { ClaimBotInput } from '../../workflows/claim-review/bots';
import { createBotActivities } from '../../workers/bot-activities';
import type { BotItemResult, botThroughput } from '../workflows/bot-throughput';
import { BareRunner } from './bot-bare';
import { InMemoryCredentialStore } from './bot-credentials';
import { LaunchPerItemPool, asBrowserPool } from './bot-launch-per-item-pool';
import { CLAIMS_APP, claimItems, misread, sandboxCredentials, startClaimsSandbox } from './bot-sandbox';

const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/bot-throughput.ts', import.meta.url));

export const BOT_MODES = ['pooled', 'launch-per-item', 'bare'] as const;
export type BotMode = (typeof BOT_MODES)[number];

export const MODE_LABELS: Record<BotMode, string> = {
  pooled: 'pooled: Temporal activity, one Chromium per worker, signed-in context kept per login',
  'launch-per-item': 'launch per item: Temporal activity, Chromium launched and closed per item, signs in per item',
  bare: 'bare floor: plain Playwright calls, fresh context and sign-in per item, no Temporal',
};

export interface BotBenchConfig {
  /** Measured items per mode. */
  items: number;
  /** Bot steps in flight at once, in every mode (the bot worker's default is 2). */
  concurrency: number;
  /** Untimed items per mode before timing. */
  warmup: number;
  /** Timed rounds per mode; the items are split across them, order A B C C B A A B C… */
  rounds: number;
}

export interface BotBenchOptions extends BotBenchConfig {
  /** Where the in-process workers reach Temporal (connectWorker(config).options). */
  temporal: WorkerTemporal['options'];
  /** A client with the same data converter as the workers. */
  client: Client;
  chromiumPath?: string;
  /** Session slots per login, as the bot worker gates them (Redis); the two Temporal modes take
   *  one per step, with C sessions allowed per login. Absent: no gate. */
  sessions?: LoginSessions;
  log?: (line: string) => void;
}

/** One item as measured: ok means it read the claim exactly as seeded. */
export interface ItemOutcome {
  ok: boolean;
  claimRef: string;
  ms: number;
  error?: string;
}

export interface RoundFigures {
  mode: BotMode;
  round: number;
  items: number;
  seconds: number;
}

export interface ModeFigures {
  mode: BotMode;
  items: number;
  failed: number;
  seconds: number;
  itemsPerSecond: number;
  /** Per-item latency in ms: schedule to result as the workflow saw it, or the step's wall time (bare). */
  latency: { p50: number; p95: number; mean: number; max: number };
}

export interface BotBenchResult {
  config: BotBenchConfig;
  order: BotMode[];
  rounds: RoundFigures[];
  modes: Record<BotMode, ModeFigures>;
  /** pooled items/s ÷ the other mode's items/s. */
  ratios: { pooledOverLaunchPerItem: number; pooledOverBare: number };
  browsersLaunched: { pooled: number; launchPerItem: number };
  /** Pooled steps that got a context kept signed in by an earlier step, and those that did not. */
  pooledContexts: { reused: number; fresh: number };
  /** 1-minute load average when timing began and ended. */
  loadAvg: { start: number; end: number };
  /** Failed or misread items, all modes (warm-up included), first 20. */
  itemFailures: string[];
  checks: string[];
  failures: string[];
}

/** Nearest-rank percentile of an unsorted array. */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/** The order of timed rounds: each mode `rounds` times, reversed every other pass. */
export function roundOrder(rounds: number): BotMode[] {
  return Array.from({ length: rounds }, (_, r) => (r % 2 === 0 ? [...BOT_MODES] : [...BOT_MODES].reverse())).flat();
}

export async function runBotBench(opts: BotBenchOptions): Promise<BotBenchResult> {
  const log = opts.log ?? (() => undefined);
  const config: BotBenchConfig = { items: opts.items, concurrency: opts.concurrency, warmup: opts.warmup, rounds: opts.rounds };
  for (const [name, value, min] of [['items', config.items, 1], ['concurrency', config.concurrency, 1], ['warmup', config.warmup, 0], ['rounds', config.rounds, 1]] as const) {
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${value})`);
  }
  if (config.items < config.rounds) throw new Error(`items (${config.items}) must be at least rounds (${config.rounds})`);
  const C = config.concurrency;
  // Resolved here: BrowserPool's defaults spread under its options, so an explicit undefined would win.
  const chromiumPath = opts.chromiumPath ?? (process.env.CHROMIUM_PATH || '/usr/bin/chromium');
  const id = randomUUID().slice(0, 8);
  const queues = { orchestration: `bench-bots-${id}-runs`, pooled: `bench-bots-${id}-pooled`, 'launch-per-item': `bench-bots-${id}-launch` };

  const sandbox = await startClaimsSandbox();
  const scratch = await mkdtemp(join(tmpdir(), 'tandem-bench-bots-artifacts-'));
  const apps = new StaticClientApps({ [CLAIMS_APP]: sandbox.url });
  // C sessions per login: the gate is in the path, but no lane waits for a busy login.
  const credentials = new InMemoryCredentialStore(Object.fromEntries(Object.entries(sandboxCredentials()).map(([name, c]) => [name, { ...c, maxSessions: C }])));
  const artifacts = new ArtifactStore(join(scratch, 'artifacts'));
  // Measured is a busy worker: its kept sessions must not lapse while the other modes take their
  // turn (minutes at a time), as production's 5-minute idle close would do.
  const pooledPool = new BrowserPool({ executablePath: chromiumPath, maxContexts: C, keptSessionIdleMs: 60 * 60_000 });
  const launchPool = new LaunchPerItemPool({ executablePath: chromiumPath, maxContexts: C });
  const bare = new BareRunner({ apps, credentials, screenshotDir: scratch }, chromiumPath);
  const runtime = (pool: BrowserPool): BotRuntime => ({ pool, credentials, artifacts, apps, ...(opts.sessions ? { sessions: opts.sessions } : {}) });
  try {
    log(`in-process claims sandbox on ${sandbox.url}; bundling the bench workflow…`);
    const orchestration = await Worker.create({ ...opts.temporal, taskQueue: queues.orchestration, workflowsPath: WORKFLOWS_PATH });
    // Both bot workers as workers/bot.ts makes them: the production bot activities, at most C at once.
    const botWorker = async (taskQueue: string, pool: BrowserPool): Promise<Worker> =>
      Worker.create({ ...opts.temporal, taskQueue, maxConcurrentActivityTaskExecutions: C, activities: await createBotActivities(runtime(pool)) });
    const pooledWorker = await botWorker(queues.pooled, pooledPool);
    const launchWorker = await botWorker(queues['launch-per-item'], asBrowserPool(launchPool));

    const itemFailures: string[] = [];
    let offset = 0;
    let runNo = 0;
    const runMode = async (mode: BotMode, count: number): Promise<{ outcomes: ItemOutcome[]; seconds: number }> => {
      const items = claimItems(count, offset);
      offset += count;
      const started = performance.now();
      const raw = mode === 'bare' ? await bare.run(items, C) : await runWorkflow(mode, items);
      const seconds = (performance.now() - started) / 1000;
      const outcomes = raw.map((r, i) => judge(items[i]!, r));
      for (const o of outcomes) if (!o.ok && itemFailures.length < 20) itemFailures.push(`${mode} ${o.claimRef}: ${o.error}`);
      return { outcomes, seconds };
    };
    const runWorkflow = (mode: Exclude<BotMode, 'bare'>, items: ClaimBotInput[]): Promise<BotItemResult[]> =>
      opts.client.workflow.execute<typeof botThroughput>('botThroughput', {
        taskQueue: queues.orchestration,
        workflowId: `bench-bots-${id}-${mode}-${++runNo}`,
        args: [{ taskQueue: queues[mode], items, concurrency: C }],
      });

    const body = async (): Promise<BotBenchResult> => {
      if (config.warmup > 0) {
        log(`warm-up: ${config.warmup} items per mode (untimed)`);
        for (const mode of BOT_MODES) await runMode(mode, config.warmup);
      }
      const order = roundOrder(config.rounds);
      const perRound = (round: number): number => Math.floor(config.items / config.rounds) + (round < config.items % config.rounds ? 1 : 0);
      const done: Record<BotMode, number> = { pooled: 0, 'launch-per-item': 0, bare: 0 };
      const samples: Record<BotMode, ItemOutcome[]> = { pooled: [], 'launch-per-item': [], bare: [] };
      const rounds: RoundFigures[] = [];
      log(`timing ${config.items} items per mode, ${C} at a time, in ${order.length} rounds: ${order.join(' → ')}`);
      const loadStart = loadavg()[0]!;
      for (const mode of order) {
        const round = done[mode]++;
        const { outcomes, seconds } = await runMode(mode, perRound(round));
        samples[mode].push(...outcomes);
        rounds.push({ mode, round: round + 1, items: outcomes.length, seconds });
        log(`  ${mode.padEnd(15)} round ${round + 1}: ${outcomes.length} items in ${seconds.toFixed(1)} s (${(outcomes.length / seconds).toFixed(2)} items/s)`);
      }
      const loadEnd = loadavg()[0]!;

      const figuresOf = (mode: BotMode): ModeFigures => {
        const ms = samples[mode].map((o) => o.ms);
        const seconds = rounds.filter((r) => r.mode === mode).reduce((s, r) => s + r.seconds, 0);
        return {
          mode,
          items: ms.length,
          failed: samples[mode].filter((o) => !o.ok).length,
          seconds,
          itemsPerSecond: ms.length / seconds,
          latency: { p50: percentile(ms, 50), p95: percentile(ms, 95), mean: ms.reduce((s, v) => s + v, 0) / ms.length, max: Math.max(...ms) },
        };
      };
      const modes = { pooled: figuresOf('pooled'), 'launch-per-item': figuresOf('launch-per-item'), bare: figuresOf('bare') };
      const ratios = {
        pooledOverLaunchPerItem: modes.pooled.itemsPerSecond / modes['launch-per-item'].itemsPerSecond,
        pooledOverBare: modes.pooled.itemsPerSecond / modes.bare.itemsPerSecond,
      };
      const browsersLaunched = { pooled: pooledPool.stats().launched, launchPerItem: launchPool.stats().launched };
      const pooledSteps = config.items + config.warmup;
      const pooledContexts = { reused: pooledPool.stats().reused, fresh: pooledSteps - pooledPool.stats().reused };
      const logins = new Set(claimItems(pooledSteps).map((i) => i.credential)).size;

      const checks: string[] = [];
      const failures: string[] = [];
      const check = (ok: boolean, text: string): void => void (ok ? checks : failures).push(text);
      const total = (config.items + config.warmup) * BOT_MODES.length;
      const failedItems = offset === total ? itemFailures.length : -1;
      check(failedItems === 0, `every item read its claim as seeded (${total} items, warm-up included; ${failedItems} failed)`);
      check(browsersLaunched.pooled === 1, `the pooled worker launched ${browsersLaunched.pooled} Chromium for ${config.items + config.warmup} items (expected 1)`);
      check(
        browsersLaunched.launchPerItem === config.items + config.warmup,
        `the launch-per-item worker launched ${browsersLaunched.launchPerItem} Chromiums for ${config.items + config.warmup} items`,
      );
      check(
        pooledContexts.fresh <= logins * C,
        `the pooled worker signed in ${pooledContexts.fresh} times for ${pooledSteps} items (at most ${logins} logins × C = ${logins * C}); ${pooledContexts.reused} reused a kept session`,
      );
      check(
        ratios.pooledOverLaunchPerItem > 1,
        `pooled is faster than launch per item (${modes.pooled.itemsPerSecond.toFixed(2)} vs ${modes['launch-per-item'].itemsPerSecond.toFixed(2)} items/s)`,
      );
      return { config, order, rounds, modes, ratios, browsersLaunched, pooledContexts, loadAvg: { start: loadStart, end: loadEnd }, itemFailures, checks, failures };
    };
    return await orchestration.runUntil(pooledWorker.runUntil(launchWorker.runUntil(body())));
  } finally {
    await Promise.all([pooledPool.close().catch(() => undefined), launchPool.close(), bare.close()]);
    await sandbox.close().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}

function judge(item: ClaimBotInput, r: { ok: boolean; claimRef: string; ms: number; amountCents?: number; error?: string; failure?: { message: string } }): ItemOutcome {
  if (!r.ok) return { ok: false, claimRef: item.claimRef, ms: r.ms, error: r.error ?? r.failure?.message ?? 'failed' };
  const wrong = misread(item, { claimRef: r.claimRef, amountCents: r.amountCents ?? Number.NaN });
  return wrong ? { ok: false, claimRef: item.claimRef, ms: r.ms, error: wrong } : { ok: true, claimRef: item.claimRef, ms: r.ms };
}
