// Decision latency: an operator's POST /tasks/:id/complete → the run's next step started, beside the
// raw SDK: executeUpdate on the bare decision workflow (bench/workflows/bare-decision.ts) → its next
// activity started, on the same server in the same run, one decision at a time, in blocks A B B A…
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { completeTaskUpdate } from '../../workflows/engine/messages';
import { BARE_TASK_QUEUE, bareDecideUpdate, type bareDecision } from '../workflows/bare-decision';
import { BenchFailure, completeTask, epochNow, mapLimit, nextStepStartedAt, sleep, takeNext } from './decisions';
import { figure, verdictOf, type Figure } from './figures';
import { TEAM } from './inbox-load';
import { summarize, type Summary } from './stats';
import type { SuiteStack } from './suite-stack';

export interface DecisionConfig {
  /** Measured decisions per path. */
  samples: number;
  warmup: number;
  block: number;
}

export interface DecisionSample {
  workflowId: string;
  sentAt: number;
  repliedAt: number;
  nextStepAt?: number;
  /** Raw path only: when the activity itself says it started (checks the history's clock). */
  activityClock?: number;
}

export interface DecisionResult {
  config: DecisionConfig;
  ours: { toNextStep: Summary; reply: Summary };
  raw: { toNextStep: Summary; reply: Summary };
  /** History ActivityTaskStarted time minus the activity's own Date.now(), raw path (ms). */
  clockSkew: Summary;
  missingNextStep: { ours: number; raw: number };
  loadAvg: { start: number; end: number };
  samples: { ours: DecisionSample[]; raw: DecisionSample[] };
}

async function oursBlock(s: SuiteStack, count: number, offset: number): Promise<DecisionSample[]> {
  // Untimed: claim the block's tasks first, so each timed complete meets a run at rest.
  const claimed = [];
  for (let i = 0; i < count; i++) {
    const op = s.operators[(offset + i) % s.operators.length]!;
    const task = await takeNext(s.apiUrl, op, TEAM);
    if (!task) throw new BenchFailure(`decision latency: team ${TEAM} ran out of open tasks`);
    claimed.push({ op, task });
  }
  await sleep(300);
  const out: DecisionSample[] = [];
  for (const { op, task } of claimed) {
    const c = await completeTask(s.apiUrl, op, task);
    out.push({ workflowId: c.runId, sentAt: c.sentAt, repliedAt: c.repliedAt });
  }
  return out;
}

async function rawBlock(s: SuiteStack, count: number): Promise<DecisionSample[]> {
  const client = s.temporal.client;
  const handles = await Promise.all(
    Array.from({ length: count }, () => client.workflow.start<typeof bareDecision>('bareDecision', { taskQueue: BARE_TASK_QUEUE, workflowId: `bench-bare-${randomUUID()}` })),
  );
  // Untimed: each run's first workflow task done (it waits for its decision).
  for (const h of handles) {
    for (let tries = 0; (await h.describe()).historyLength < 4 && tries < 100; tries++) await sleep(20);
  }
  await sleep(300);
  const out: DecisionSample[] = [];
  for (const h of handles) {
    const sentAt = epochNow();
    await h.executeUpdate(bareDecideUpdate, { args: [{ action: 'approve' }] });
    out.push({ workflowId: h.workflowId, sentAt, repliedAt: epochNow() });
  }
  return out;
}

export async function measureDecisionLatency(s: SuiteStack, cfg: DecisionConfig, log: (line: string) => void): Promise<DecisionResult> {
  const ours: DecisionSample[] = [];
  const raw: DecisionSample[] = [];
  log(`decision latency: ${cfg.warmup} warm-up + ${cfg.samples} decisions per path, blocks of ${cfg.block} (A B B A…)`);
  await oursBlock(s, cfg.warmup, 0);
  await rawBlock(s, cfg.warmup);
  const loadAvg = { start: loadavg()[0]!, end: 0 };
  for (let b = 0; ours.length < cfg.samples || raw.length < cfg.samples; b++) {
    const isRaw = b % 4 === 1 || b % 4 === 2;
    const target = isRaw ? raw : ours;
    const n = Math.min(cfg.block, cfg.samples - target.length);
    if (n <= 0) continue;
    target.push(...(isRaw ? await rawBlock(s, n) : await oursBlock(s, n, ours.length)));
    if (b % 4 === 3) log(`  ${ours.length}/${cfg.samples} ours, ${raw.length}/${cfg.samples} raw`);
  }
  loadAvg.end = loadavg()[0]!;
  log('  reading the runs’ histories for when their next step started (untimed)…');
  await sleep(1000);
  const read = async (sample: DecisionSample, update: string): Promise<void> => {
    for (let tries = 0; tries < 50 && sample.nextStepAt === undefined; tries++) {
      if (tries) await sleep(100);
      sample.nextStepAt = await nextStepStartedAt(s.temporal.client, sample.workflowId, update);
    }
  };
  await mapLimit(ours, 8, (x) => read(x, completeTaskUpdate.name));
  await mapLimit(raw, 8, (x) => read(x, bareDecideUpdate.name));
  await mapLimit(raw, 8, async (x) => {
    const result = await s.temporal.client.workflow.getHandle<typeof bareDecision>(x.workflowId).result();
    x.activityClock = result.startedAt;
  });
  const toNext = (xs: DecisionSample[]): number[] => xs.filter((x) => x.nextStepAt !== undefined).map((x) => Math.max(x.nextStepAt!, x.repliedAt) - x.sentAt);
  const reply = (xs: DecisionSample[]): number[] => xs.map((x) => x.repliedAt - x.sentAt);
  return {
    config: cfg,
    ours: { toNextStep: summarize(toNext(ours)), reply: summarize(reply(ours)) },
    raw: { toNextStep: summarize(toNext(raw)), reply: summarize(reply(raw)) },
    clockSkew: summarize(raw.filter((x) => x.nextStepAt !== undefined && x.activityClock !== undefined).map((x) => x.nextStepAt! - x.activityClock!)),
    missingNextStep: { ours: ours.filter((x) => x.nextStepAt === undefined).length, raw: raw.filter((x) => x.nextStepAt === undefined).length },
    loadAvg,
    samples: { ours, raw },
  };
}

export function decisionFigures(r: DecisionResult): Figure[] {
  const o = r.ours.toNextStep;
  const b = r.raw.toNextStep;
  const p99 = figure({
    id: 'decision-p99',
    name: 'decision latency p99: complete → next step started',
    unit: 'ms',
    ours: o.p99,
    baseline: b.p99,
    better: 'lower',
    target: '≤ 1.3× raw, < 150 ms',
    verdict: verdictOf(o.p99 <= 1.3 * b.p99 && o.p99 < 150),
  });
  return [
    figure({ id: 'decision-p50', name: 'decision latency p50', unit: 'ms', ours: o.p50, baseline: b.p50, better: 'lower', target: '—', verdict: 'info' }),
    figure({ id: 'decision-p95', name: 'decision latency p95', unit: 'ms', ours: o.p95, baseline: b.p95, better: 'lower', target: '—', verdict: 'info' }),
    p99,
  ];
}

