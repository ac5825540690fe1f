// Two operators and a client retrying with the same Idempotency-Key race on the same tasks:
// exactly one completion each, the losers get 409 naming who won. Per task, ana.lima and ben.okafor
// send their decision at the same moment, both with the task's one key, and ana's client sends
// hers twice more (as a client does whose first call seems to hang): the winner's repeats answer
// the same decision (200), every other call is refused with 409 and `decidedBy`; so do one more
// call of each operator once the run has ended. The
// proof is each run's history: exactly one decision, by the operator every answer names.
import { randomInt } from 'node:crypto';
import { openManualTasks, pool } from '../lib/pool';
import { sleep, type Reply, type Tandem } from '../lib/tandem';
import type { Verdict } from '../lib/verdict';

export interface KeyRaceOptions {
  tasks: number;
  /** Tasks raced at once (each with four calls in flight). */
  parallel: number;
}

interface Call {
  operator: 'ana.lima' | 'ben.okafor';
  reply: Reply;
}

export async function keyRace(tandem: Tandem, options: KeyRaceOptions, log: (line: string) => void): Promise<Verdict> {
  const started = performance.now();
  const tasks = await openManualTasks(tandem, `CHAOS-KR-${Date.now()}`, options.tasks);
  log(`key-race: ${tasks.length} tasks open; per task ana.lima and ben.okafor with one Idempotency-Key, ana's client sending twice more`);

  let calls = 0;
  let lateCalls = 0;
  let unanswered = 0;
  let replays = 0;
  let refusedNamingWinner = 0;
  let once = 0;
  let duplicates = 0;
  let lost = 0;
  const wrong: string[] = [];
  const statuses = new Map<number, number>();
  const winners = new Map<string, number>();

  await pool(tasks, options.parallel, async ({ runId, taskId }) => {
    const key = `race-${taskId}`;
    // A call that is not answered (no reply, 5xx) is sent again with its key, as a client should.
    const send = async (operator: Call['operator'], delayMs: number): Promise<Call> => {
      await sleep(delayMs);
      let reply = await tandem.approve(taskId, operator, key);
      for (let attempt = 0; (reply.status === 0 || reply.status >= 500) && attempt < 8; attempt++) {
        unanswered++;
        await sleep(500 * 2 ** Math.min(attempt, 3));
        reply = await tandem.approve(taskId, operator, key);
      }
      return { operator, reply };
    };
    const first = send('ana.lima', 0);
    const racing = await Promise.all([first, send('ben.okafor', 0), send('ana.lima', randomInt(0, 50)), first.then(() => send('ana.lima', randomInt(0, 200)))]);
    calls += racing.length;
    // The run ends just after its decision: give it a moment before reading it back.
    let status: string | undefined;
    for (let tries = 0; tries < 60 && status !== 'completed'; tries++) {
      status = (await tandem.run(runId))?.status;
      if (status !== 'completed') await sleep(250);
    }
    // Late repeats, once the run has ended: the winner's (a client whose answer was lost) must
    // still answer the decision, the loser's still name the winner.
    const winnerNow = racing.find((c) => c.reply.status === 200)?.operator;
    if (winnerNow) {
      const loser = winnerNow === 'ana.lima' ? 'ben.okafor' : 'ana.lima';
      racing.push(await send(winnerNow, 0), await send(loser, 0));
      lateCalls += 2;
    }
    const decisions = await tandem.recordedDecisions(runId);
    if (decisions === 1 && status === 'completed') once++;
    if (decisions === 0) lost++;
    duplicates += Math.max(0, decisions - 1);
    const won = racing.filter((c) => c.reply.status === 200);
    const winner = won[0]?.operator;
    if (winner) winners.set(winner, (winners.get(winner) ?? 0) + 1);
    for (const { operator, reply } of racing) {
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status === 200) {
        if (operator !== winner || reply.json.decidedBy?.operatorId !== winner) wrong.push(`${taskId}: 200 to ${operator} naming ${reply.json.decidedBy?.operatorId}, winner ${winner}`);
      } else if (reply.status === 409) {
        const named = reply.json.decidedBy?.operatorId;
        if (named && named === winner && operator !== winner) refusedNamingWinner++;
        else wrong.push(`${taskId}: 409 to ${operator} naming ${named ?? 'nobody'}, winner ${winner ?? 'none'} (${reply.json.detail ?? ''})`);
      } else wrong.push(`${taskId}: ${reply.status} to ${operator}: ${JSON.stringify(reply.json).slice(0, 200)}`);
    }
    // Every 200 is the one decision: the same time and version (a repeat with the key replays it).
    if (new Set(won.map((c) => `${c.reply.json.decidedAt}/${c.reply.json.version}`)).size > 1) wrong.push(`${taskId}: 200s with different decisions: ${won.map((c) => c.reply.json.decidedAt).join(', ')}`);
    replays += Math.max(0, won.length - 1);
  });
  for (const line of wrong.slice(0, 5)) log(`key-race: ${line}`);

  return {
    scenario: 'key-race',
    pass: once === options.tasks && lost === 0 && duplicates === 0 && wrong.length === 0,
    figures: {
      tasks: options.tasks,
      calls: calls + lateCalls,
      'after the run ended': lateCalls,
      'completed once': once,
      losses: lost,
      duplicates,
      'replays (200)': replays,
      '409 naming the winner': refusedNamingWinner,
      'wrong answers': wrong.length,
      'sent again (no answer, 5xx)': unanswered,
      statuses: [...statuses].map(([s, n]) => `${n}x${s}`).join(','),
      winners: [...winners].map(([w, n]) => `${w}:${n}`).join(','),
      s: ((performance.now() - started) / 1000).toFixed(0),
    },
    ...(wrong.length ? { notes: wrong.slice(0, 3) } : {}),
  };
}
