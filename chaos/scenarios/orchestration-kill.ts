// kill -9 an orchestration worker while tasks are being completed through the API by several
// concurrent operators: every completion applied once, none lost, every API call answered. A call
// that fails (no answer, 5xx) is sent again with the same Idempotency-Key, as a client should: it
// must replay the first decision, never apply a second. The proof is each run's history (its audit
// trail): exactly one recorded decision, and the run completed.
import { randomInt } from 'node:crypto';
import { pool } from '../lib/pool';
import type { ChaosStack } from '../lib/stack';
import { OPERATORS, sleep, type Tandem } from '../lib/tandem';
import type { Verdict } from '../lib/verdict';

export interface OrchestrationKillOptions {
  tasks: number;
  kills: number;
  /** Completions in flight at once, shared by the operators. */
  concurrency: number;
  deadlineMs: number;
}

export async function orchestrationKill(stack: ChaosStack, tandem: Tandem, options: OrchestrationKillOptions, log: (line: string) => void): Promise<Verdict> {
  const started = performance.now();
  const key = `CHAOS-OK-${Date.now()}`;
  const refs = Array.from({ length: options.tasks }, (_, i) => `${key}-${i + 1}`);
  const runIds: string[] = [];
  await pool(refs, 10, async (ref) => void runIds.push(await tandem.startManualTask(ref)));
  const tasks: Array<{ runId: string; taskId: string }> = [];
  await pool(runIds, 10, async (runId) => {
    for (let tries = 0; tries < 240; tries++, await sleep(250)) {
      const taskId = (await tandem.run(runId))?.taskId;
      if (taskId) return void tasks.push({ runId, taskId });
    }
    throw new Error(`run ${runId} has no open task after 60 s`);
  });
  log(`orchestration-kill: ${tasks.length} tasks open; ${OPERATORS.length} operators complete them, ${options.concurrency} at a time; ${options.kills} kills`);

  let calls = 0;
  let retried = 0;
  let failedCalls = 0;
  let unanswered = 0;
  let completed = 0;
  const serverErrors = new Map<number, number>();
  const deadline = Date.now() + options.deadlineMs;
  // One kill point in each of N equal stretches of 10-70 % of the tasks.
  const first = Math.ceil(options.tasks * 0.1);
  const stretch = Math.max(1, Math.floor((options.tasks * 0.7 - first) / options.kills));
  const killPoints = Array.from({ length: options.kills }, (_, i) => first + i * stretch + randomInt(0, stretch));
  const recoveries: number[] = [];
  let killing: Promise<void> | undefined;
  let kills = 0;

  const killOne = async () => {
    const victims = stack.processes('orchestration-worker-');
    const victim = victims[randomInt(0, victims.length)]!;
    const killedAt = performance.now();
    stack.kill9(victim);
    kills++;
    log(`orchestration-kill: kill -9 #${kills} ${victim} at ${completed}/${options.tasks} completed`);
    const before = completed;
    await sleep(500);
    const restart = stack.start();
    while (completed === before && Date.now() < deadline) await sleep(100);
    recoveries.push((performance.now() - killedAt) / 1000);
    log(`orchestration-kill: next completion ${recoveries.at(-1)!.toFixed(1)} s after the kill; ${victim} back after ${(await restart).toFixed(1)} s`);
  };

  await pool(tasks, options.concurrency, async (task, lane) => {
    const operator = OPERATORS[lane % OPERATORS.length]!;
    const idempotencyKey = `chaos-${task.taskId}`;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      calls++;
      if (attempt > 0) retried++;
      const reply = await tandem.approve(task.taskId, operator, idempotencyKey);
      if (reply.status === 200) {
        completed++;
        if (kills < options.kills && !killing && completed >= killPoints[kills]!) killing = killOne().finally(() => (killing = undefined));
        return;
      }
      failedCalls++;
      if (reply.status >= 500) serverErrors.set(reply.status, (serverErrors.get(reply.status) ?? 0) + 1);
      // 4xx other than a lapse of the platform would be a fault of the suite: stop retrying and count it.
      if (reply.status >= 400 && reply.status < 500 && reply.status !== 429) {
        log(`orchestration-kill: ${task.taskId} answered ${reply.status} ${JSON.stringify(reply.json).slice(0, 300)}`);
        break;
      }
      await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 4)));
    }
    unanswered++;
  });
  await killing;

  // Every run: completed, one decision in its history.
  let once = 0;
  let duplicates = 0;
  let lost = 0;
  await pool(tasks, 8, async ({ runId }) => {
    let status: string | undefined;
    for (let tries = 0; tries < 120 && status !== 'completed'; tries++) {
      status = (await tandem.run(runId))?.status;
      if (status !== 'completed') await sleep(500);
    }
    const decisions = await tandem.recordedDecisions(runId);
    if (status === 'completed' && decisions === 1) once++;
    if (decisions === 0 || status !== 'completed') lost++;
    duplicates += Math.max(0, decisions - 1);
  });
  const fiveHundreds = [...serverErrors].map(([s, n]) => `${n}x${s}`).join(',') || '0';
  return {
    scenario: 'orchestration-kill',
    pass: kills === options.kills && once === options.tasks && lost === 0 && duplicates === 0 && unanswered === 0,
    figures: {
      tasks: options.tasks,
      operators: OPERATORS.length,
      kills,
      'applied once': once,
      losses: lost,
      duplicates,
      calls,
      'retried with the same key': retried,
      'failed calls': failedCalls,
      '5xx': fiveHundreds,
      unanswered,
      'recover max s': recoveries.length ? Math.max(...recoveries).toFixed(1) : '-',
      s: ((performance.now() - started) / 1000).toFixed(0),
    },
  };
}
