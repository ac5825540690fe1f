// Stop Redis during a shift and start it empty: two operators keep taking tasks (take-next) and
// completing them through the API while Redis is gone (kill -9, its append-only file deleted,
// back after the outage through `stack.sh start`). Decisions must keep working through Temporal
// (take-next answers from Temporal visibility meanwhile), the inbox index must rebuild from
// Temporal, and afterwards no open task may be missing from any operator's inbox, nor a decided
// one still listed. Every run's history is then read: each decided task decided exactly once.
import { openManualTasks, pool } from '../lib/pool';
import type { ChaosStack } from '../lib/stack';
import { OPERATORS, sleep, type Tandem } from '../lib/tandem';
import type { Verdict } from '../lib/verdict';

export interface RedisOutageOptions {
  tasks: number;
  /** Share of the tasks the shift decides; the rest stay open for the inbox check. */
  decideShare: number;
  /** The shift before the outage, the outage, and the shift after Redis is back. */
  beforeMs: number;
  outageMs: number;
  afterMs: number;
  deadlineMs: number;
}

const TEAM = 'claims-review';

export async function redisOutage(stack: ChaosStack, tandem: Tandem, options: RedisOutageOptions, log: (line: string) => void): Promise<Verdict> {
  const started = performance.now();
  const key = `CHAOS-RO-${Date.now()}`;
  const tasks = await openManualTasks(tandem, key, options.tasks);
  const ours = new Map(tasks.map((t) => [t.taskId, t]));
  const target = Math.floor(options.tasks * options.decideShare);
  const shiftMs = options.beforeMs + options.outageMs + options.afterMs;
  // Each operator's pace, so the decisions spread over the whole shift, the outage included.
  const paceMs = (shiftMs / target) * OPERATORS.length;
  log(`redis-outage: ${tasks.length} tasks open; ${OPERATORS.length} operators decide ${target} over ${shiftMs / 1000} s; Redis away for ${options.outageMs / 1000} s after ${options.beforeMs / 1000} s`);

  const decided = new Set<string>();
  let redisDown = false;
  let decidedDuringOutage = 0;
  let takenFromTemporal = 0;
  let failedCalls = 0;
  let unanswered = 0;
  const serverErrors = new Map<number, number>();
  const deadline = Date.now() + options.deadlineMs;
  const failed = (status: number) => {
    failedCalls++;
    if (status >= 500) serverErrors.set(status, (serverErrors.get(status) ?? 0) + 1);
  };

  const operator = async (who: (typeof OPERATORS)[number]) => {
    while (decided.size < target && Date.now() < deadline) {
      const lap = performance.now();
      const taken = await tandem.as(who, 'POST', `/teams/${TEAM}/take-next`, {});
      if (taken.status !== 200) {
        failed(taken.status);
        await sleep(500);
        continue;
      }
      const taskId = taken.json.task?.taskId as string | undefined;
      if (!taskId) {
        await sleep(500);
        continue;
      }
      if (taken.json.source === 'temporal') takenFromTemporal++;
      if (!ours.has(taskId)) throw new Error(`take-next gave ${who} a task of no run of this scenario: ${taskId}`);
      const leaseId = taken.json.task.claim?.leaseId as string | undefined;
      let done = false;
      // A failed call is sent again with the same key until it is answered.
      for (let attempt = 0; !done && Date.now() < deadline; attempt++) {
        const reply = await tandem.as(who, 'POST', `/tasks/${encodeURIComponent(taskId)}/complete`, { action: 'approve', data: { note: 'chaos shift' }, leaseId }, `shift-${taskId}`);
        if (reply.status === 200) {
          done = true;
          decided.add(taskId);
          if (redisDown) decidedDuringOutage++;
        } else {
          failed(reply.status);
          if (reply.status >= 400 && reply.status < 500 && reply.status !== 429) {
            log(`redis-outage: ${who} completing ${taskId}: ${reply.status} ${JSON.stringify(reply.json).slice(0, 300)}`);
            break;
          }
          await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 4)));
        }
      }
      if (!done) unanswered++;
      await sleep(Math.max(0, paceMs - (performance.now() - lap)));
    }
  };

  const outage = async () => {
    await sleep(options.beforeMs);
    stack.kill9('redis');
    stack.wipe('redis');
    redisDown = true;
    log(`redis-outage: kill -9 redis and its data deleted at ${decided.size}/${target} decided`);
    await sleep(options.outageMs);
    const startS = await stack.start();
    redisDown = false;
    const back = performance.now();
    log(`redis-outage: Redis back empty (stack.sh start ${startS.toFixed(1)} s), ${decidedDuringOutage} decisions made while it was away`);
    // The index is usable again once a team's list answers from it, not degraded.
    for (; Date.now() < deadline; await sleep(250)) {
      const list = await tandem.as('ana.lima', 'GET', `/teams/${TEAM}/tasks?limit=1`);
      if (list.status === 200 && list.json.source === 'index' && !list.json.degraded) break;
    }
    return (performance.now() - back) / 1000;
  };

  const [rebuildS] = await Promise.all([outage(), ...OPERATORS.map((who) => operator(who))]);
  log(`redis-outage: index rebuilt ${rebuildS.toFixed(1)} s after Redis was back; shift over at ${decided.size}/${target} decided`);

  // Every operator's inbox, from the rebuilt index: every open task of ours listed, no decided one.
  let missing = 0;
  let ghosts = 0;
  const open = tasks.filter((t) => !decided.has(t.taskId));
  for (const who of OPERATORS) {
    const listed = new Set<string>();
    let cursor: string | undefined;
    let source = '';
    do {
      const page = await tandem.as(who, 'GET', `/teams/${TEAM}/tasks?status=active&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (page.status !== 200) throw new Error(`GET /teams/${TEAM}/tasks as ${who}: ${page.status} ${JSON.stringify(page.json)}`);
      source = page.json.source as string;
      for (const t of page.json.tasks as Array<{ taskId: string }>) listed.add(t.taskId);
      cursor = page.json.nextCursor as string | undefined;
    } while (cursor);
    const gone = open.filter((t) => !listed.has(t.taskId)).length;
    const stale = [...decided].filter((id) => listed.has(id)).length;
    missing += gone;
    ghosts += stale;
    log(`redis-outage: ${who}'s inbox (source ${source}): ${open.length - gone}/${open.length} open tasks listed, ${stale} decided ones still listed`);
  }

  // Then the rest decided by the supervisor (past any claim), and every run read back.
  await pool(open, 8, async ({ taskId }) => {
    for (let attempt = 0; attempt < 10; attempt++, await sleep(500)) {
      const reply = await tandem.approve(taskId, 'supervisor', `rest-${taskId}`);
      if (reply.status === 200) return;
    }
  });
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

  return {
    scenario: 'redis-outage',
    pass: decided.size >= target && decidedDuringOutage > 0 && missing === 0 && ghosts === 0 && once === options.tasks && lost === 0 && duplicates === 0 && unanswered === 0,
    figures: {
      tasks: options.tasks,
      operators: OPERATORS.length,
      'outage s': options.outageMs / 1000,
      'decided in shift': decided.size,
      'decided while Redis away': decidedDuringOutage,
      'taken from Temporal': takenFromTemporal,
      'missing from an inbox': missing,
      'decided but listed': ghosts,
      'applied once': once,
      losses: lost,
      duplicates,
      'failed calls': failedCalls,
      '5xx': [...serverErrors].map(([s, n]) => `${n}x${s}`).join(',') || '0',
      unanswered,
      'index rebuilt s': rebuildS.toFixed(1),
      s: ((performance.now() - started) / 1000).toFixed(0),
    },
  };
}
