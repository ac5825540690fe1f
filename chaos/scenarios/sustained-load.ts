// Sustained load: decisions at a steady rate (open loop: one every 1/rate s, whether or not the
// last has been answered) for minutes, with a DataEntry batch keying documents meanwhile. No call
// may answer 5xx, and no process may grow after warm-up: the resident memory of the API, the
// workers and the notifier is sampled every 5 s and the last fifth of the load compared with the
// fifth after warm-up. Decisions need open tasks: ManualTask runs are started ahead of them (a
// buffer of a few seconds' worth) by a producer of their own, counted apart. Afterwards every run
// is read back (one decision each) and the batch's ledger checked (every item once).
import { percentile, pool, type OpenTask } from '../lib/pool';
import type { ChaosStack } from '../lib/stack';
import { OPERATORS, sleep, type Tandem } from '../lib/tandem';
import type { Verdict } from '../lib/verdict';

export interface SustainedLoadOptions {
  /** Decisions per second. */
  rate: number;
  durationMs: number;
  /** Items of the batch that runs meanwhile. */
  batchItems: number;
  /** A process's growth allowed after warm-up: the larger of this share and `growthMb`. */
  growthShare: number;
  growthMb: number;
  deadlineMs: number;
}

/** The app's processes, by pid-file prefix: what must not grow. */
const WATCHED = ['api', 'orchestration-worker', 'bot-worker', 'notifier'];

export async function sustainedLoad(stack: ChaosStack, tandem: Tandem, options: SustainedLoadOptions, log: (line: string) => void): Promise<Verdict> {
  const started = performance.now();
  const key = `CHAOS-SL-${Date.now()}`;
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const deadline = Date.now() + options.deadlineMs;
  const batch = await tandem.startDataEntry(`chaos-load-${Date.now()}`, options.batchItems, 2);
  log(`sustained-load: ${options.rate} decisions/s for ${options.durationMs / 1000} s (${total} tasks) with a ${options.batchItems}-item batch running (${batch.runId})`);

  // The producer: ManualTask runs started ahead, each task ready once its run shows it.
  const ready: OpenTask[] = [];
  const all: OpenTask[] = [];
  let produced = 0;
  let producerErrors = 0;
  const buffer = Math.max(20, options.rate * 4);
  let producing = true;
  const producer = Promise.all(
    Array.from({ length: Math.max(4, Math.ceil(options.rate / 2)) }, async () => {
      while (producing && produced < total) {
        if (ready.length >= buffer) {
          await sleep(100);
          continue;
        }
        const reference = `${key}-${++produced}`;
        const runId = await tandem.startManualTask(reference).catch(() => undefined);
        if (!runId) {
          producerErrors++;
          continue;
        }
        for (let tries = 0; tries < 120; tries++) {
          await sleep(tries ? 250 : 400);
          const taskId = (await tandem.run(runId))?.taskId;
          if (taskId) {
            const task = { reference, runId, taskId };
            ready.push(task);
            all.push(task);
            break;
          }
        }
      }
    }),
  );
  while (ready.length < Math.min(buffer, total) && Date.now() < deadline) await sleep(200);

  // Memory sampled through the load.
  const samples: Array<{ at: number; rss: Record<string, number> }> = [];
  const names = WATCHED.flatMap((prefix) => stack.processes(prefix));
  const sample = () => samples.push({ at: performance.now(), rss: Object.fromEntries(names.map((n) => [n, stack.rssMb(n)])) });

  // The decisions: one every 1/rate s, on the oldest ready task; a failed call is retried with its key.
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let decided = 0;
  let starved = 0;
  let retried = 0;
  let unanswered = 0;
  const inFlight = new Set<Promise<void>>();
  const loadStart = performance.now();
  sample();
  const sampler = setInterval(sample, 5_000);
  const decide = async (task: OpenTask, n: number) => {
    const who = OPERATORS[n % OPERATORS.length]!;
    for (let attempt = 0; attempt < 8; attempt++) {
      if (attempt) retried++;
      const t = performance.now();
      const reply = await tandem.approve(task.taskId, who, `load-${task.taskId}`);
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status === 200) {
        latencies.push(performance.now() - t);
        decided++;
        return;
      }
      if (reply.status >= 400 && reply.status < 500 && reply.status !== 429) break;
      await sleep(500 * 2 ** Math.min(attempt, 3));
    }
    unanswered++;
  };
  for (let n = 0; n < total && Date.now() < deadline; n++) {
    const due = loadStart + (n * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const task = ready.shift();
    if (!task) {
      starved++;
      continue;
    }
    const job = decide(task, n).finally(() => inFlight.delete(job));
    inFlight.add(job);
  }
  const loadS = (performance.now() - loadStart) / 1000;
  producing = false;
  await Promise.all(inFlight);
  clearInterval(sampler);
  sample();
  await producer;
  // Tasks the producer readied beyond the load are decided too (not counted), so no run is left open.
  const rest = ready.splice(0);
  await pool(rest, 8, async (task) => void (await tandem.approve(task.taskId, 'supervisor', `load-${task.taskId}`)));
  log(`sustained-load: ${decided} decisions in ${loadS.toFixed(0)} s (${(decided / loadS).toFixed(1)}/s), ${starved} ticks without a ready task`);

  // Growth: the last fifth of the samples against the fifth after warm-up (the first fifth).
  const fifth = Math.max(1, Math.floor(samples.length / 5));
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  let worst = { name: '-', fromMb: 0, toMb: 0 };
  let grown = 0;
  for (const name of names) {
    const fromMb = median(samples.slice(fifth, 2 * fifth).map((s) => s.rss[name]!));
    const toMb = median(samples.slice(-fifth).map((s) => s.rss[name]!));
    if (toMb - fromMb > worst.toMb - worst.fromMb) worst = { name, fromMb, toMb };
    if (toMb - fromMb > Math.max(options.growthMb, fromMb * options.growthShare)) grown++;
  }

  // Every run decided once; the batch finished with every item once.
  let once = 0;
  let duplicates = 0;
  let undecided = 0;
  await pool(all.slice(), 16, async ({ runId }) => {
    const decisions = await tandem.recordedDecisions(runId).catch(() => -1);
    if (decisions === 1) once++;
    if (decisions === 0) undecided++;
    duplicates += Math.max(0, decisions - 1);
  });
  let batchStatus: string | undefined;
  for (; Date.now() < deadline; await sleep(1_000)) {
    const p = await tandem.progress(batch.runId);
    if (p && p.runStatus !== 'running') {
      batchStatus = p.runStatus;
      break;
    }
  }
  const ledger = await tandem.ledger(batch.refs);
  const fiveHundreds = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
  const sorted = [...latencies].sort((a, b) => a - b);
  const achieved = decided / loadS;
  const notes: string[] = [];
  if (achieved < options.rate * 0.95) notes.push(`this machine gave ${achieved.toFixed(1)} decisions/s of the ${options.rate} asked (${starved} ticks found no ready task: starting runs is the bottleneck)`);
  return {
    scenario: 'sustained-load',
    pass: fiveHundreds === 0 && grown === 0 && unanswered === 0 && duplicates === 0 && once === all.length && undecided === 0 && achieved >= options.rate * 0.95 && batchStatus === 'completed' && ledger.once === options.batchItems && ledger.duplicates === 0,
    figures: {
      'rate asked /s': options.rate,
      'rate reached /s': achieved.toFixed(1),
      's of load': loadS.toFixed(0),
      decisions: decided,
      'p50 ms': percentile(sorted, 50).toFixed(0),
      'p99 ms': percentile(sorted, 99).toFixed(0),
      '5xx': fiveHundreds ? [...statuses].filter(([st]) => st >= 500 || st === 0).map(([st, n]) => `${n}x${st}`).join(',') : 0,
      retried,
      unanswered,
      'runs started': all.length,
      'decided after the load': rest.length,
      'runs without a decision': undecided,
      'producer errors': producerErrors,
      'decided once': once,
      duplicates,
      batch: `${batchStatus ?? 'not finished'} ${ledger.once}/${options.batchItems} once`,
      losses: ledger.lost.length,
      'batch duplicates': ledger.duplicates,
      'grown processes': grown,
      'most growth': `${worst.name} ${worst.fromMb.toFixed(0)}->${worst.toMb.toFixed(0)} MB`,
      s: ((performance.now() - started) / 1000).toFixed(0),
    },
    ...(notes.length ? { notes } : {}),
  };
}
