// Start throughput: runs started per second through POST /processes/manual-task/runs (zod
// validation, scope check, Idempotency-Key, the business item's attempt walk) beside the raw
// client.workflow.start of the same workflow with the same input, C calls in flight, same run,
// in rounds A B B A so a drift in machine load hits both alike. Runs open tasks of their own team.
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { ORCHESTRATION_TASK_QUEUE } from '../../workflows/engine/process-definition';
import type { ManualTaskInput } from '../../workflows/manual-task/schema';
import { BenchFailure, postJson } from './decisions';
import { figure, verdictOf, type Figure } from './figures';
import { CLIENT } from './inbox-load';
import { summarize, type Summary } from './stats';
import type { SuiteStack } from './suite-stack';

export const START_TEAM = 'bench-starts';

export interface StartConfig {
  /** Runs started per path (split over the rounds). */
  runs: number;
  concurrency: number;
  rounds: number;
}

export interface StartResult {
  config: StartConfig;
  ours: { perSec: number; latency: Summary; rounds: number[] };
  raw: { perSec: number; latency: Summary; rounds: number[] };
  loadAvg: { start: number; end: number };
}

let seq = 0;
const inputOf = (): ManualTaskInput => {
  seq++;
  return { client: CLIENT, reference: `START-${process.pid}-${Date.now().toString(36)}-${seq}`, title: `Bench start ${seq}`, team: START_TEAM, priority: 3 };
};

async function round(count: number, concurrency: number, one: () => Promise<void>): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let left = count;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (left > 0) {
        left--;
        const t = performance.now();
        await one();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

export async function measureStartThroughput(s: SuiteStack, cfg: StartConfig, log: (line: string) => void): Promise<StartResult> {
  const ours = async (): Promise<void> => {
    const res = await postJson(`${s.apiUrl}/processes/manual-task/runs`, s.supervisor, inputOf(), { 'idempotency-key': randomUUID() });
    if (res.status !== 201) throw new BenchFailure(`POST /processes/manual-task/runs answered ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
  };
  const raw = async (): Promise<void> => {
    await s.temporal.client.workflow.start('manualTask', { taskQueue: ORCHESTRATION_TASK_QUEUE, workflowId: `manual-task-${randomUUID()}`, args: [inputOf()] });
  };
  log(`start throughput: ${cfg.runs} runs per path, ${cfg.concurrency} in flight, ${cfg.rounds} rounds per path`);
  // Warm-up, untimed: connections, the route's compiled schema, the worker's first runs.
  await round(Math.min(20, cfg.runs), cfg.concurrency, ours);
  await round(Math.min(20, cfg.runs), cfg.concurrency, raw);
  const per = Math.max(1, Math.round(cfg.runs / cfg.rounds));
  const got = { ours: { n: 0, s: 0, lat: [] as number[], rounds: [] as number[] }, raw: { n: 0, s: 0, lat: [] as number[], rounds: [] as number[] } };
  const loadAvg = { start: loadavg()[0]!, end: 0 };
  for (let r = 0; r < 2 * cfg.rounds; r++) {
    const side = r % 4 === 1 || r % 4 === 2 ? 'raw' : 'ours';
    const g = got[side];
    const res = await round(per, cfg.concurrency, side === 'raw' ? raw : ours);
    g.n += per;
    g.s += res.seconds;
    g.lat.push(...res.latencies);
    g.rounds.push(per / res.seconds);
  }
  loadAvg.end = loadavg()[0]!;
  const out = (g: typeof got.ours) => ({ perSec: g.n / g.s, latency: summarize(g.lat), rounds: g.rounds });
  const result = { config: cfg, ours: out(got.ours), raw: out(got.raw), loadAvg };
  log(`  ours ${result.ours.perSec.toFixed(1)} runs/s, raw ${result.raw.perSec.toFixed(1)} runs/s`);
  return result;
}

export function startFigures(r: StartResult): Figure[] {
  return [
    figure({
      id: 'start-throughput',
      name: 'start throughput: POST /processes/{p}/runs',
      unit: 'runs/s',
      ours: r.ours.perSec,
      baseline: r.raw.perSec,
      better: 'higher',
      target: '≥ 0.8× raw',
      verdict: verdictOf(r.ours.perSec >= 0.8 * r.raw.perSec),
    }),
  ];
}
