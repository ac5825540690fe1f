// The chaos suite (issue #13): faults on a real stack, each scenario ending with the sandbox ledger
// and every run checked (nothing lost, nothing twice) and one VERDICT line of figures.
//   npm run chaos                      full rounds on the cluster profile (Temporal server + PostgreSQL)
//   npm run chaos -- --quick           fewer rounds, small batches (a few minutes)
//   npm run chaos -- --dev             on the CLI's dev server (SQLite) instead
//   npm run chaos -- --only bot-kill   some scenarios, comma-separated (names in SCENARIOS below)
//   npm run chaos -- --items 200 --kills 5   bot-kill's batch size and kills (full: 1,000 and 10)
// Runs on a stack of its own (profile chaos-cluster or chaos-dev: own ports and state, reset at the
// start, stopped at the end unless --keep; --profile names another), loopback only. Exit code 1
// when any verdict fails.
import { parseArgs } from 'node:util';
import { ChaosStack } from './lib/stack';
import { Tandem } from './lib/tandem';
import { verdictLine, type Verdict } from './lib/verdict';
import { botKill } from './scenarios/bot-kill';
import { orchestrationKill } from './scenarios/orchestration-kill';
import { temporalRestart } from './scenarios/temporal-restart';
import { keyRace } from './scenarios/key-race';
import { redisOutage } from './scenarios/redis-outage';
import { appFaults } from './scenarios/app-faults';
import { sustainedLoad } from './scenarios/sustained-load';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    dev: { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    items: { type: 'string' },
    kills: { type: 'string' },
    profile: { type: 'string' },
  },
});
const SCENARIOS = ['bot-kill', 'orchestration-kill', 'temporal-restart', 'key-race', 'redis-outage', 'app-faults', 'sustained-load'] as const;
const only = flags.only?.split(',') ?? [...SCENARIOS];
for (const name of only) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario '${name}' (known: ${SCENARIOS.join(', ')})`);

const t0 = performance.now();
const log = (line: string) => process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s  ${line}\n`);
const kind = flags.dev ? 'dev' : 'cluster';
// A killed bot's hold on a client login lapses in 5 s here (production default 30 s), so the
// restarted worker is not kept waiting for its own dead sessions; the guarantee is the same.
const stack = new ChaosStack({ kind, loginLeaseMs: 5_000, log, ...(flags.profile ? { profile: flags.profile } : {}) });
const quick = flags.quick;

let stopping = false;
const stop = async () => {
  if (stopping || flags.keep) return;
  stopping = true;
  log('stopping the chaos stack');
  await stack.stop();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));

const verdicts: Verdict[] = [];
const report = (v: Verdict) => {
  verdicts.push(v);
  process.stdout.write(`${verdictLine(v)}\n`);
};
try {
  const startS = await stack.startFresh();
  log(`stack up in ${startS.toFixed(0)} s (${kind}: ${kind === 'cluster' ? 'Temporal server on PostgreSQL' : 'Temporal dev server on SQLite'}); API ${stack.settings.TANDEM_API_URL}`);
  const tandem = await Tandem.connect(stack.settings);
  if (only.includes('bot-kill')) {
    const items = Number(flags.items ?? (quick ? 24 : 1_000));
    const kills = Number(flags.kills ?? (quick ? 3 : 10));
    // Room for ~0.3 items/s (this 2-core machine under load, kills included) and a minute per kill.
    const v = await botKill(stack, tandem, { items, kills, concurrency: 4, deadlineMs: (items / 0.3 + kills * 60) * 1000 }, log);
    report(v);
  }
  if (only.includes('orchestration-kill')) {
    const v = await orchestrationKill(stack, tandem, quick ? { tasks: 40, kills: 1, concurrency: 8, deadlineMs: 300_000 } : { tasks: 500, kills: 3, concurrency: 8, deadlineMs: 900_000 }, log);
    report(v);
  }
  if (only.includes('temporal-restart')) {
    const restarts: Array<'temporal' | 'with-postgres'> = kind === 'cluster' ? (quick ? ['with-postgres'] : ['temporal', 'with-postgres']) : ['temporal'];
    const v = await temporalRestart(
      stack,
      tandem,
      quick ? { runs: 3, itemsPerRun: 8, concurrency: 2, restarts, outageMs: 5_000, deadlineMs: 300_000 } : { runs: 5, itemsPerRun: 40, concurrency: 2, restarts, outageMs: 20_000, deadlineMs: 900_000 },
      log,
    );
    report(v);
  }
  if (only.includes('key-race')) report(await keyRace(tandem, quick ? { tasks: 20, parallel: 5 } : { tasks: 100, parallel: 10 }, log));
  if (only.includes('redis-outage')) {
    const outage = quick ? { tasks: 24, decideShare: 0.5, beforeMs: 5_000, outageMs: 8_000, afterMs: 8_000 } : { tasks: 100, decideShare: 0.6, beforeMs: 20_000, outageMs: 30_000, afterMs: 30_000 };
    report(await redisOutage(stack, tandem, { ...outage, deadlineMs: 300_000 }, log));
  }
  if (only.includes('app-faults')) {
    // The hang first; then the two faults that fail an attempt at once back to back, so bot steps
    // run out of their attempts (5, 1 s doubling) and items reach people.
    const phases = (ms: [number, number, number]) => [
      { fault: 'hang' as const, ms: ms[0] },
      { fault: 'logout' as const, ms: ms[1] },
      { fault: 'errors' as const, ms: ms[2] },
    ];
    report(await appFaults(tandem, quick ? { items: 12, concurrency: 4, phases: phases([10_000, 15_000, 45_000]), deadlineMs: 480_000 } : { items: 60, concurrency: 4, phases: phases([30_000, 30_000, 60_000]), deadlineMs: 900_000 }, log));
  }
  if (only.includes('sustained-load')) {
    const load = quick ? { rate: 10, durationMs: 30_000, batchItems: 8 } : { rate: 50, durationMs: 300_000, batchItems: 40 };
    report(await sustainedLoad(stack, tandem, { ...load, growthShare: 0.15, growthMb: 40, deadlineMs: load.durationMs + 300_000 }, log));
  }
} catch (err) {
  log(`the chaos run failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await stop();
}
log(`${verdicts.filter((v) => v.pass).length}/${verdicts.length} scenarios passed in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
if (verdicts.some((v) => !v.pass)) process.exitCode = 1;
