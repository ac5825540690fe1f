// Restart the Temporal server (and, on the cluster profile, PostgreSQL under it) mid-run: several
// DataEntry runs are keying documents when the server is killed (SIGKILL: a crash, not a clean
// stop), stays away for a while, and comes back through `stack.sh start`. Every run finishes, and
// no bot side effect happens twice: each item exactly once in the sandbox CRM's ledger.
import type { ChaosStack } from '../lib/stack';
import { sleep, type Tandem } from '../lib/tandem';
import type { Verdict } from '../lib/verdict';

export interface TemporalRestartOptions {
  runs: number;
  itemsPerRun: number;
  concurrency: number;
  /** One restart per entry; `with-postgres` kills PostgreSQL too (cluster profile only). */
  restarts: Array<'temporal' | 'with-postgres'>;
  outageMs: number;
  deadlineMs: number;
}

export async function temporalRestart(stack: ChaosStack, tandem: Tandem, options: TemporalRestartOptions, log: (line: string) => void): Promise<Verdict> {
  const started = performance.now();
  const key = `chaos-restart-${Date.now()}`;
  const runs = await Promise.all(Array.from({ length: options.runs }, (_, i) => tandem.startDataEntry(`${key}-${i + 1}`, options.itemsPerRun, options.concurrency)));
  const total = options.runs * options.itemsPerRun;
  log(`temporal-restart: ${options.runs} runs of ${options.itemsPerRun} items; restarts: ${options.restarts.join(', ')}`);
  const done = async () => {
    let sum = 0;
    let open = 0;
    for (const r of runs) {
      const p = await tandem.progress(r.runId);
      if (!p) return undefined;
      sum += p.done;
      if (p.runStatus === 'running') open++;
    }
    return { sum, open };
  };
  const deadline = Date.now() + options.deadlineMs;
  const recoveries: number[] = [];
  for (const [i, what] of options.restarts.entries()) {
    // Mid-run: a share of the items done, the rest still to do.
    const target = Math.floor((total * (i + 1)) / (options.restarts.length + 2));
    for (let now = await done(); Date.now() < deadline && (!now || now.sum < Math.max(1, target)); now = await done()) await sleep(300);
    const before = (await done())?.sum ?? 0;
    const victims = what === 'with-postgres' ? ['temporal', 'postgres'] : ['temporal'];
    for (const v of victims) stack.kill9(v);
    const killedAt = performance.now();
    log(`temporal-restart: kill -9 ${victims.join(' and ')} at ${before}/${total} items done; back in ${options.outageMs / 1000} s`);
    await sleep(options.outageMs);
    const restartS = await stack.start();
    for (let now = await done(); Date.now() < deadline && (!now || (now.sum <= before && now.open > 0)); now = await done()) await sleep(250);
    recoveries.push((performance.now() - killedAt - options.outageMs) / 1000);
    log(`temporal-restart: stack.sh start took ${restartS.toFixed(1)} s; items moving again ${recoveries.at(-1)!.toFixed(1)} s after the return`);
  }

  const statuses: string[] = [];
  for (; Date.now() < deadline; await sleep(500)) {
    const all = await Promise.all(runs.map((r) => tandem.progress(r.runId)));
    if (all.every((p) => p && p.runStatus !== 'running')) {
      statuses.push(...all.map((p) => p!.runStatus));
      break;
    }
  }
  const ledgers = await Promise.all(runs.map((r) => tandem.ledger(r.refs)));
  const lost = ledgers.reduce((n, l) => n + l.lost.length, 0);
  const duplicates = ledgers.reduce((n, l) => n + l.duplicates, 0);
  const once = ledgers.reduce((n, l) => n + l.once, 0);
  const completed = statuses.filter((s) => s === 'completed').length;
  const listed = await tandem.listed(runs.map((r) => r.runId));
  return {
    scenario: `temporal-restart${stack.kind === 'cluster' ? '+postgres' : ''}`,
    pass: completed === options.runs && once === total && lost === 0 && duplicates === 0 && listed === options.runs,
    figures: {
      runs: options.runs,
      items: total,
      restarts: options.restarts.length,
      'outage s': options.outageMs / 1000,
      completed: `${completed}/${options.runs}`,
      losses: lost,
      duplicates,
      'recover max s': recoveries.length ? Math.max(...recoveries).toFixed(1) : '-',
      'listed by GET /runs': `${listed}/${options.runs}`,
      s: ((performance.now() - started) / 1000).toFixed(0),
    },
    ...(statuses.length ? {} : { notes: [`runs not finished within ${options.deadlineMs / 1000} s`] }),
  };
}
