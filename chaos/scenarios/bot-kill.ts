// kill -9 a bot worker at random points during a batch, N times, restarting it each time (with
// `stack.sh start`, as an operator would): every item exactly once in the sandbox CRM's ledger, and
// the batch finishes. The kills land while items are in the bot's hands (a random bot worker, a
// random 1-6 s after at least one more item was done), so each one interrupts real browser work.
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
  let kills = 0;
  let lastDone = 0;
  let finished: string | undefined;
  const deadline = Date.now() + options.deadlineMs;

  while (Date.now() < deadline) {
    const p = await tandem.progress(runId);
    if (p && p.runStatus !== 'running') {
      finished = p.runStatus;
      break;
    }
    // Kill only while the batch still has work the bots hold, after it moved on since the last kill.
    if (p && kills < options.kills && p.done > lastDone && p.done < options.items - options.concurrency) {
      await sleep(randomInt(1_000, 6_000));
      const bots = stack.processes('bot-worker-');
      const victim = bots[randomInt(0, bots.length)]!;
      const doneAtKill = (await tandem.progress(runId))?.done ?? p.done;
      const signalled = stack.kill9(victim);
      kills++;
      const killedAt = performance.now();
      log(`bot-kill: kill -9 #${kills} ${victim} (${signalled} processes) at ${doneAtKill}/${options.items} done`);
      await sleep(500); // a crash is not noticed at once: the restart comes after the process is gone
      const restartS = await stack.start();
      // Recovered: the restarted worker answers and the batch moves past where it was at the kill.
      for (; Date.now() < deadline; await sleep(250)) {
        const now = await tandem.progress(runId);
        if (!now || now.runStatus !== 'running' || now.done > doneAtKill) break;
      }
      recoveries.push((performance.now() - killedAt) / 1000);
      log(`bot-kill: ${victim} restarted in ${restartS.toFixed(1)} s; batch moving again ${recoveries.at(-1)!.toFixed(1)} s after the kill`);
      lastDone = (await tandem.progress(runId))?.done ?? doneAtKill;
      continue;
    }
    await sleep(500);
  }

  const final = await tandem.progress(runId);
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
      'listed by GET /runs': listed,
      's': ((performance.now() - started) / 1000).toFixed(0),
    },
    ...(ledger.lost.length ? { notes: [`lost: ${ledger.lost.slice(0, 10).join(', ')}`] } : {}),
  };
}
