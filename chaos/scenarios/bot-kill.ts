// kill -9 a bot worker at random points during a batch, N times, restarting it each time (with
// `stack.sh start`, as an operator would): every item exactly once in the sandbox CRM's ledger, and
// the batch finishes. The kill points are random item counts, one in each of N equal stretches of
// 5-75 % of the batch (plus a random 0-3 s), each on a random bot worker, so each interrupts real
// browser work and the last leaves room for the batch to go on after it.
import { randomInt } from 'node:crypto';
import type { ChaosStack } from '../lib/stack';
import { sleep, type Tandem } from '../lib/tandem';
import type { Verdict } from '../lib/verdict';

export interface BotKillOptions {
  items: number;
  kills: number;
  concurrency: number;
  /** The batch must finish within this. */
  deadlineMs: number;
}

export async function botKill(stack: ChaosStack, tandem: Tandem, options: BotKillOptions, log: (line: string) => void): Promise<Verdict> {
  const started = performance.now();
  const batchKey = `chaos-bot-kill-${Date.now()}`;
  const { runId, refs } = await tandem.startDataEntry(batchKey, options.items, options.concurrency);
  log(`bot-kill: run ${runId}, ${options.items} items, ${options.kills} kills planned`);
  const recoveries: number[] = [];
  const restarts: number[] = [];
  let kills = 0;
  let lastDone = 0;
  let finished: string | undefined;
  const deadline = Date.now() + options.deadlineMs;
  // The longest time the batch went without an item done: what a kill costs the batch as a whole.
  let lastIncrease = performance.now();
  let seenDone = 0;
  let longestStall = 0;
  const progress = async () => {
    const p = await tandem.progress(runId);
    const now = performance.now();
    if (p && p.done > seenDone) {
      seenDone = p.done;
      lastIncrease = now;
    } else if (!p || p.runStatus === 'running') {
      longestStall = Math.max(longestStall, now - lastIncrease);
    }
    return p;
  };

  const first = Math.ceil(options.items * 0.05) + 1;
  const stretch = Math.max(1, Math.floor((options.items * 0.75 - first) / options.kills));
  const killPoints = Array.from({ length: options.kills }, (_, i) => first + i * stretch + randomInt(0, stretch));

  while (Date.now() < deadline) {
    const p = await progress();
    if (p && p.runStatus !== 'running') {
      finished = p.runStatus;
      break;
    }
    // At the next kill point, once the batch moved on since the last kill.
    if (p && kills < options.kills && p.done >= killPoints[kills]! && p.done > lastDone) {
      await sleep(randomInt(0, 3_000));
      const bots = stack.processes('bot-worker-');
      const victim = bots[randomInt(0, bots.length)]!;
      const doneAtKill = (await progress())?.done ?? p.done;
      const signalled = stack.kill9(victim);
      kills++;
      const killedAt = performance.now();
      log(`bot-kill: kill -9 #${kills} ${victim} (${signalled} processes) at ${doneAtKill}/${options.items} done`);
      await sleep(500); // a crash is not noticed at once: the restart comes after the process is gone
      // The restart and the batch's progress are timed side by side: the surviving bot worker may
      // carry the batch on before the killed one is back.
      const restart = stack.start();
      for (; Date.now() < deadline; await sleep(250)) {
        const now = await progress();
        if (!now || now.runStatus !== 'running' || now.done > doneAtKill) break;
      }
      recoveries.push((performance.now() - killedAt) / 1000);
      const restartS = await restart;
      restarts.push(restartS);
      log(`bot-kill: batch moving again ${recoveries.at(-1)!.toFixed(1)} s after the kill; ${victim} restarted by stack.sh start in ${restartS.toFixed(1)} s`);
      lastDone = (await progress())?.done ?? doneAtKill;
      continue;
    }
    await sleep(500);
  }

  const final = await progress();
  const ledger = await tandem.ledger(refs);
  const listed = await tandem.listed([runId]);
  const pass = finished === 'completed' && final?.done === options.items && kills === options.kills && ledger.once === options.items && ledger.lost.length === 0 && ledger.duplicates === 0 && listed === 1;
  return {
    scenario: 'bot-kill',
    pass,
    figures: {
      items: options.items,
      kills,
      run: finished ?? `not finished in ${options.deadlineMs / 1000} s`,
      done: final?.done ?? 'unknown',
      losses: ledger.lost.length,
      duplicates: ledger.duplicates,
      'recover max s': recoveries.length ? Math.max(...recoveries).toFixed(1) : '-',
      'recover mean s': recoveries.length ? (recoveries.reduce((a, b) => a + b, 0) / recoveries.length).toFixed(1) : '-',
      'longest stall s': (longestStall / 1000).toFixed(1),
      'restart max s': restarts.length ? Math.max(...restarts).toFixed(1) : '-',
      'listed by GET /runs': listed,
      's': ((performance.now() - started) / 1000).toFixed(0),
    },
    ...(ledger.lost.length ? { notes: [`lost: ${ledger.lost.slice(0, 10).join(', ')}`] } : {}),
  };
}
