// The suite's four figures of issue #12 as runnable units on a SuiteStack, with their settings from
// one set of flags (full or --quick): each figure's own script runs one, bench/all.ts runs them all.
import { parseArgs } from 'node:util';
import { decisionFigures, measureDecisionLatency } from './decision-latency';
import type { Figure } from './figures';
import { openQueueKey } from './inbox-load';
import { measureStartThroughput, startFigures } from './start-throughput';
import type { Summary } from './stats';
import type { SuiteStack } from './suite-stack';
import { measureSustained, sustainedFigures } from './sustained';
import { measureWaitingScale, scaleFigures, topUpTasks } from './waiting-scale';

export const FIGURES = ['waiting-scale', 'decision-latency', 'start-throughput', 'sustained-decisions'] as const;
export type FigureName = (typeof FIGURES)[number];

export const TITLES: Record<FigureName, string> = {
  'waiting-scale': 'Scale of waiting work: open tasks, take-next, worker and Redis memory (`bench/waiting-scale.ts`)',
  'decision-latency': 'Decision latency: complete → next step started, beside raw executeUpdate (`bench/decision-latency.ts`)',
  'start-throughput': 'Start throughput: POST /processes/{p}/runs beside raw workflow.start (`bench/start-throughput.ts`)',
  'sustained-decisions': 'Sustained decisions per second with an item batch beside (`bench/sustained-decisions.ts`)',
};

export interface SuiteFlags {
  quick: boolean;
  sizes: number[];
  takeNextSamples: number;
  decisions: number;
  starts: number;
  startConcurrency: number;
  rates: number[];
  probeSeconds: number;
  holdSeconds: number;
  batchDocuments: number;
  loadConcurrency: number;
  skipBots: boolean;
  only?: FigureName[];
}

const list = (raw: string, name: string): number[] => {
  const xs = raw.split(',').map(Number);
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--${name} must be positive integers, comma-separated (got ${raw})`);
  return xs;
};
const int = (raw: string | undefined, name: string, min: number): number => {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min} (got ${raw})`);
  return v;
};

export function parseSuiteFlags(args = process.argv.slice(2)): SuiteFlags {
  const { values: f } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      'take-next-samples': { type: 'string' },
      decisions: { type: 'string' },
      starts: { type: 'string' },
      'start-concurrency': { type: 'string', default: '16' },
      rates: { type: 'string' },
      'probe-seconds': { type: 'string' },
      'hold-seconds': { type: 'string' },
      'batch-documents': { type: 'string' },
      'load-concurrency': { type: 'string' },
      'skip-bots': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const q = f.quick!;
  const only = f.only?.split(',') as FigureName[] | undefined;
  for (const name of only ?? []) if (!FIGURES.includes(name)) throw new Error(`--only: unknown figure ${name} (one of ${FIGURES.join(', ')})`);
  return {
    quick: q,
    sizes: list(f.sizes ?? (q ? '40,120' : '1000,10000'), 'sizes'),
    takeNextSamples: int(f['take-next-samples'] ?? (q ? '10' : '200'), 'take-next-samples', 1),
    decisions: int(f.decisions ?? (q ? '10' : '500'), 'decisions', 1),
    starts: int(f.starts ?? (q ? '30' : '1000'), 'starts', 1),
    startConcurrency: int(f['start-concurrency'], 'start-concurrency', 1),
    rates: list(f.rates ?? (q ? '5' : '20,40,60,80,100,125,150'), 'rates'),
    probeSeconds: int(f['probe-seconds'] ?? (q ? '2' : '10'), 'probe-seconds', 1),
    holdSeconds: int(f['hold-seconds'] ?? (q ? '3' : '120'), 'hold-seconds', 1),
    batchDocuments: int(f['batch-documents'] ?? (q ? '0' : '400'), 'batch-documents', 0),
    loadConcurrency: int(f['load-concurrency'] ?? (q ? '8' : '32'), 'load-concurrency', 1),
    skipBots: f['skip-bots']! || q,
    ...(only ? { only } : {}),
  };
}

export interface FigureRun {
  name: FigureName;
  figures: Figure[];
  details: string[];
  json: object;
  loadWhileTiming?: { start: number; end: number };
}

const ms = (x: Summary): string => `p50 ${x.p50.toFixed(1)}, p95 ${x.p95.toFixed(1)}, p99 ${x.p99.toFixed(1)}, max ${x.max.toFixed(1)} ms (n ${x.n})`;

export async function runFigure(name: FigureName, s: SuiteStack, flags: SuiteFlags, log: (line: string) => void): Promise<FigureRun> {
  const topUp = (count: number): Promise<void> => topUpTasks(s, count, flags.loadConcurrency, log);
  switch (name) {
    case 'waiting-scale': {
      const r = await measureWaitingScale(s, { sizes: flags.sizes, samples: flags.takeNextSamples, loadConcurrency: flags.loadConcurrency, seed: 42 }, log);
      const details = [
        `Sizes run: ${r.levels.map((l) => l.size.toLocaleString('en')).join(' → ')} open tasks (one run; the size is \`--sizes\`).`,
        '',
        '| open tasks | opened at (tasks/s) | pick p50 / p99 ms | claim Update p50 / p99 ms | take-next over HTTP p50 / p99 ms | worker RSS MiB (peak) | Redis MiB |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...r.levels.map(
          (l) =>
            `| ${l.size} | ${l.readyPerSec.toFixed(0)} (starts ${l.startsPerSec.toFixed(0)}/s) | ${l.pick.p50.toFixed(2)} / ${l.pick.p99.toFixed(2)} | ${l.claim.p50.toFixed(1)} / ${l.claim.p99.toFixed(1)} | ${l.takeNextHttp.p50.toFixed(1)} / ${l.takeNextHttp.p99.toFixed(1)} | ${l.workerRssMiB.toFixed(0)} (${l.workerPeakRssMiB.toFixed(0)}) | ${l.redisUsedMiB.toFixed(1)} |`,
        ),
        '',
        `Idle before loading: worker RSS ${r.idle.workerRssMiB.toFixed(0)} MiB, Redis ${r.idle.redisUsedMiB.toFixed(1)} MiB. The pick is \`TaskIndex.reserveNext\` (one Lua script in Redis) timed from the bench; the claim is the \`tandem.claimTask\` Update; take-next over HTTP is both plus the mirror write and HTTP. ${r.config.samples} samples of each per size, alternating in tens. The worker keeps its workflow cache at the SDK's bound (\`maxCachedWorkflows\` from its heap size), so runs past it are evicted and replayed when touched.`,
      ];
      return { name, figures: scaleFigures(r), details, json: r };
    }
    case 'decision-latency': {
      const open = await s.redis.zcard(openQueueKey(s.index));
      const needed = flags.decisions + 20;
      if (open < needed) await topUp(needed - open);
      const r = await measureDecisionLatency(s, { samples: flags.decisions, warmup: Math.min(20, flags.decisions), block: Math.min(25, flags.decisions) }, log);
      const details = [
        `- ours, complete → next step started: ${ms(r.ours.toNextStep)}; the complete's reply alone: ${ms(r.ours.reply)}`,
        `- raw executeUpdate → next activity started: ${ms(r.raw.toNextStep)}; the Update's return alone: ${ms(r.raw.reply)}`,
        `- history clock check (raw): ActivityTaskStarted event time − the activity's own Date.now(): p50 ${r.clockSkew.p50.toFixed(1)} ms, max ${r.clockSkew.max.toFixed(1)} ms; decisions without a next step found: ours ${r.missingNextStep.ours}, raw ${r.missingNextStep.raw}`,
        '',
        'One decision at a time, blocks of 25 in the order A B B A… after a warm-up. Ours: the task is claimed by take-next (untimed), then `POST /tasks/{id}/complete` is timed from sending it until the later of its reply and the start of the run’s next step (the `ActivityTaskStarted` of the first activity the run scheduled after accepting the `tandem.completeTask` Update: for ManualTask, its inbox sync). Raw: `executeUpdate` on `bench/workflows/bare-decision.ts` (no validator, no task book, nothing mirrored) until its next activity started, on its own worker process, same server, same codec.',
      ];
      return { name, figures: decisionFigures(r), details, json: r, loadWhileTiming: r.loadAvg };
    }
    case 'start-throughput': {
      const r = await measureStartThroughput(s, { runs: flags.starts, concurrency: flags.startConcurrency, rounds: 2 }, log);
      const details = [
        `- ours: ${r.ours.perSec.toFixed(1)} runs/s (rounds ${r.ours.rounds.map((x) => x.toFixed(0)).join(', ')}), per call ${ms(r.ours.latency)}`,
        `- raw: ${r.raw.perSec.toFixed(1)} runs/s (rounds ${r.raw.rounds.map((x) => x.toFixed(0)).join(', ')}), per call ${ms(r.raw.latency)}`,
        '',
        `${r.config.runs} ManualTask runs per path, ${r.config.concurrency} calls in flight, rounds A B B A. Ours goes through HTTP, bearer-token auth, zod validation of the input, the scope check, an Idempotency-Key per call and \`ProcessRuns.start\` (the business item's run id, memo and search attributes); raw is \`client.workflow.start\` of the same workflow and input with a random id.`,
      ];
      return { name, figures: startFigures(r), details, json: r, loadWhileTiming: r.loadAvg };
    }
    case 'sustained-decisions': {
      const r = await measureSustained(
        s,
        { rates: flags.rates, probeSeconds: flags.probeSeconds, holdSeconds: flags.holdSeconds, boundMs: 500, sampleEvery: flags.quick ? 1 : 5, batchDocuments: flags.batchDocuments, topUp },
        log,
      );
      const details = [
        '| phase | rate /s | s | decisions | achieved /s | decision p50 / p99 ms | take-next + complete p99 ms | failed | dropped | held | load |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
        ...r.phases.map(
          (p) =>
            `| ${p.kind} | ${p.rate} | ${p.seconds} | ${p.decisions} | ${p.achieved.toFixed(1)} | ${p.decision.p50.toFixed(0)} / ${p.decision.p99.toFixed(0)} | ${p.cycle.p99.toFixed(0)} | ${p.failures} | ${p.dropped} | ${p.held ? 'yes' : 'no'} | ${p.loadAvg.toFixed(1)} |`,
        ),
        '',
        `Each decision is an operator's take-next then complete over HTTP, started open-loop at the rate (8 operators in turn; at most 2 s of arrivals in flight, more are dropped). Decision latency as in the decision-latency figure, read from the history of one decision in ${flags.quick ? 1 : 5}. A rate holds with no failure, no drop, ≥ 95% of the rate completed and p99 < 500 ms. ${r.batch ? `Beside it: one DataEntry item batch of ${r.batch.documents} documents (concurrency 4) keyed into the sandbox CRM by one bot worker (Chromium); ${r.batch.doneDuringHold ?? '?'} documents were done during the hold; counts at its end: \`${JSON.stringify(r.batch.counts ?? {})}\`.` : 'No item batch ran beside it in this run.'}`,
      ];
      return { name, figures: sustainedFigures(r), details, json: r };
    }
  }
}
