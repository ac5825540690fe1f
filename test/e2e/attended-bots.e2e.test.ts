// Attended bots through the real stack (API → Temporal → orchestration and bot worker processes →
// Chromium → the sandbox claims system): a burst of triggers starts one bot and every reply is
// quick; the run's steps and result show in the task and on the SSE feed; the limits answer 429;
// a bot hanging past its deadline is stopped with evidence while the API keeps answering; and an
// attended trigger during a busy batch starts ahead of the batch's queued items.
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshClaim, sandbox, startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, temporalClient, uniqueId } from '../support/temporal';
import { bearer, SCHEDULER_KEY } from '../support/auth';
import { AccountNumbers, customer, documentOf } from './fixtures/crm-documents';
import { ATTENDED_BOT_TASK_QUEUE, MAX_ATTENDED_RUNS_PER_OPERATOR } from '../../workflows/engine/attended-bot';
import { DEFAULT_QUIRKS } from '../../sandbox/claims-system/quirks';

let api: TestApi;
let workers: WorkerProcess[] = [];
const prefix = uniqueId('attended');
const ANA = await bearer('ana.lima');
const BEN = await bearer('ben.okafor');
const SAM = await bearer('sam.rivera');

beforeAll(async () => {
  api = await startApi(prefix);
  workers = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix })]);
});
/** Runs this file opened: cancelled at the end, so no later test's queue (rebuilt from Temporal) inherits their tasks. */
const opened: string[] = [];

afterAll(async () => {
  await sandbox.quirks(DEFAULT_QUIRKS).catch(() => undefined);
  for (const runId of opened) {
    const res = await api.app.inject({ method: 'POST', url: `/runs/${runId}/cancel`, headers: SAM, payload: { reason: 'attended-bot tests are over' } });
    if (res.statusCode !== 202) continue; // already closed
    await eventually(async () => (await call('GET', `/runs/${runId}`, SAM)).body.status !== 'running', `${runId} closed`, 30_000, 200).catch(() => undefined);
  }
  await Promise.allSettled(workers.map((w) => w.stop()));
  await api?.close();
});

type Reply = { status: number; body: any; type: unknown; ms: number };

async function call(method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object): Promise<Reply> {
  const started = performance.now();
  const res = await api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json(), type: res.headers['content-type'], ms: performance.now() - started };
}

async function openReview(like = 'CLM-1002'): Promise<{ runId: string; taskId: string; claimRef: string }> {
  const claimRef = freshClaim(like);
  const { runId } = (await call('POST', '/processes/claim-review/runs', SAM, { client: 'acme-health', claimRef })).body;
  opened.push(runId);
  const task = await eventually(async () => (await call('GET', `/runs/${runId}`, SAM)).body.openTasks[0], 'the review task', 60_000, 150);
  return { runId, taskId: task.taskId, claimRef };
}

const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const settled = (url: string, who = ANA, timeoutMs = 60_000) =>
  eventually(async () => {
    const run = (await call('GET', url, who)).body;
    return (run.status === 'done' || run.status === 'failed') && run;
  }, `${url} to settle`, timeoutMs, 200);

async function historyEvents(runId: string) {
  const { client, close } = await temporalClient();
  try {
    return (await client.workflow.getHandle(runId).fetchHistory()).events ?? [];
  } finally {
    await close();
  }
}

const msOf = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/** The attended bot activities the run scheduled (each is one bot execution). */
async function attendedExecutions(runId: string) {
  const events = await historyEvents(runId);
  return events.filter((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name === ATTENDED_BOT_TASK_QUEUE);
}

function expectProblem(res: Reply, status: number, slug: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.type).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toBe(`urn:tandem:problem:${slug}`);
}

describe('attended bots', () => {
  it('starts one bot for 20 rapid triggers by two operators, answers each quickly, and lands the result once', async () => {
    const { runId, taskId, claimRef } = await openReview();
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.server.address() as { port: number };
    const abort = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/teams/claims-review/events?access_token=${BEN.authorization!.replace('Bearer ', '')}`, { signal: abort.signal });
    const reader = stream.body!.getReader();
    let feed = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        feed += new TextDecoder().decode(value);
      }
    })();
    await eventually(async () => feed.includes('event: ready'), 'the stream to open');
    try {
      await burstOfTriggers(runId, taskId, claimRef, () => feed);
    } finally {
      abort.abort();
    }
  });

  async function burstOfTriggers(runId: string, taskId: string, claimRef: string, feedText: () => string) {
    // For scale: what one Query of the run (a task read) costs on this machine right now.
    const reads: number[] = [];
    for (let i = 0; i < 5; i++) reads.push((await call('GET', `/tasks/${taskId}`, ANA)).ms);
    const queryMs = percentile(reads, 50);
    console.log(`one task read (a Query) meanwhile: p50 ${queryMs.toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(1)}`);
    // Half the triggers carry an Idempotency-Key, as a browser's retry would; all in flight at once.
    const keyOf = (i: number): Record<string, string> => (i % 2 === 0 ? { 'idempotency-key': `attended-${runId}-${i}` } : {});
    const who = (i: number) => (i % 4 < 2 ? ANA : BEN);
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', `/tasks/${taskId}/bots`, { ...who(i), ...keyOf(i) }, { bot: 'refetchClaim' })));
    const ids = new Set(burst.map((r) => r.body.attendedRunId));
    const seenReplies = JSON.stringify(burst.map((r) => [r.status, r.body.attendedRunId?.slice(-3), Math.round(r.ms)]));
    expect(burst.map((r) => r.status).sort(), seenReplies).toEqual([...Array(19).fill(200), 202]);
    expect(ids.size).toBe(1);
    const [attendedRunId] = [...ids];
    const url = burst[0]!.body.url as string;
    expect(url).toBe(`/tasks/${encodeURIComponent(taskId)}/bots/${encodeURIComponent(attendedRunId!)}`);

    // The keyed ones again, as retries: each replays its first answer.
    const retries = await Promise.all(burst.map((first, i) => (i % 2 === 0 ? call('POST', `/tasks/${taskId}/bots`, { ...who(i), ...keyOf(i) }, { bot: 'refetchClaim' }).then((r) => ({ r, first })) : null)));
    for (const pair of retries.filter((p) => p !== null)) {
      expect(pair.r.status).toBe(pair.first.status);
      expect(pair.r.body).toEqual(pair.first.body);
    }
    const times = [...burst, ...retries.flatMap((p) => (p ? [p.r] : []))].map((r) => r.ms);
    console.log(`attended trigger replies (${times.length}, 20 concurrent then 10 keyed retries): p50 ${percentile(times, 50).toFixed(0)} ms, p99 ${percentile(times, 99).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
    // "At once" is that no answer waits for the bot: each came while it was still queued or running
    // (the reply times printed above are figures, not asserted: speed belongs in bench/).
    for (const r of burst) expect(['queued', 'running'], JSON.stringify(r.body)).toContain(r.body.status);

    const done = await settled(url);
    expect(done).toMatchObject({ attendedRunId, bot: 'refetchClaim', requestedBy: expect.any(String), status: 'done', result: { claimRef, amountCents: expect.any(Number) } });
    expect(done.steps.map((s: { step: string }) => s.step)).toEqual(['signing in', 'reading the claim', 'taking a screenshot']);
    expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(Date.parse(done.queuedAt));

    const task = (await call('GET', `/tasks/${taskId}`, ANA)).body;
    expect(task.context.bots.refetchClaim).toMatchObject({ ok: true, attendedRunId, result: { claimRef } });
    expect(task.events.filter((e: { event: string }) => e.event === 'bot-run')).toHaveLength(1);
    expect(task.events.filter((e: { event: string }) => e.event === 'bot-queued')).toHaveLength(1);
    expect(await attendedExecutions(runId)).toHaveLength(1);

    // Every change of the run reached the other operator's live feed as the task's update.
    const feed = await eventually(async () => feedText().includes('"status":"done"') && feedText(), 'the done run on the SSE feed', 10_000);
    const seen = feed.split('\n').filter((l) => l.startsWith('data:') && l.includes(attendedRunId!)).map((l) => JSON.parse(l.slice(5)).task?.attendedRuns?.[0]?.status);
    console.log(`attended run states on the SSE feed: ${seen.join(' → ')}`);
    // queued and done always; running too unless the bot finished before its report was mirrored.
    expect(seen[0]).toBe('queued');
    expect(seen.at(-1)).toBe('done');

    // A trigger once it is done starts a new run (not the old one).
    const again = await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'refetchClaim' });
    expect(again.status).toBe(202);
    expect(again.body.attendedRunId).not.toBe(attendedRunId);
    await settled(again.body.url);
  }

  it('refuses what the task does not offer, and past the operator’s limit answers 429', async () => {
    const { taskId } = await openReview('CLM-1003');
    expectProblem(await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'launchMissiles' }), 400, 'invalid-task-request');
    const extra = await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'refetchClaim', input: { claimRef: 'CLM-2001' } });
    expectProblem(extra, 400, 'invalid-task-request');
    expect(extra.body.field).toBe('body.input');
    expectProblem(await call('GET', `/tasks/${taskId}/bots/${taskId}.b9`, ANA), 404, 'attended-run-not-found');
    expectProblem(await call('POST', `/tasks/${taskId}/bots`, await bearer('dana.kim'), { bot: 'refetchClaim' }), 404, 'task-not-found');

    for (let i = 0; i < MAX_ATTENDED_RUNS_PER_OPERATOR; i++) {
      const started = await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'refetchClaim' });
      expect(started.status).toBe(202);
      await settled(started.body.url);
    }
    const refused = await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'refetchClaim' });
    expectProblem(refused, 429, 'too-many-attended-runs');
    expect(refused.body).toMatchObject({ scope: 'operator', limit: MAX_ATTENDED_RUNS_PER_OPERATOR });
    // Another operator on the same task still may.
    expect((await call('POST', `/tasks/${taskId}/bots`, BEN, { bot: 'refetchClaim' })).status).toBe(202);
  }, 120_000);

  it('stops a bot that hangs past its deadline, reports it with evidence, and the API answers meanwhile', async () => {
    const { runId, taskId } = await openReview('CLM-1007');
    // Every page of the claims system now takes a minute: the bot hangs on its first one.
    await sandbox.quirks({ slowPageProbability: 1, slowPageDelayMs: 60_000 });
    try {
      const trigger = await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'refetchClaim' });
      expect(trigger.status).toBe(202);
      // Answered without waiting for the bot, which hangs a minute on its first page.
      expect(['queued', 'running']).toContain(trigger.body.status);
      const replies: number[] = [];
      const failed = await eventually(async () => {
        const res = await call('GET', trigger.body.url, ANA);
        replies.push(res.ms);
        expect(res.status).toBe(200);
        expect((await call('GET', `/tasks/${taskId}`, BEN)).status).toBe(200);
        return res.body.status === 'failed' && res.body;
      }, 'the hung bot to be stopped', 45_000, 250);
      console.log(`while the bot hung: ${replies.length} reads, p50 ${percentile(replies, 50).toFixed(0)} ms, p99 ${percentile(replies, 99).toFixed(0)} ms`);
      // None waited on the hung bot (a minute a page): each well inside the API's own 10 s deadline.
      for (const ms of replies) expect(ms).toBeLessThan(10_000);
      expect(failed.failure).toMatchObject({ kind: 'system', code: 'BotStepTimedOut' });
      const ran = Date.parse(failed.endedAt) - Date.parse(failed.startedAt);
      expect(ran).toBeGreaterThanOrEqual(failed.deadlineMs - 1_000);
      expect(ran).toBeLessThan(failed.deadlineMs + 5_000);
      expect(failed.links?.screenshot, JSON.stringify(failed.failure)).toMatch(/^\/artifacts\/.+\.png$/);
      expect(failed.links.trace).toMatch(/^\/artifacts\/.+\.trace\.zip$/);
      for (const link of [failed.links.screenshot, failed.links.trace]) expect((await api.app.inject({ method: 'GET', url: link, headers: ANA })).statusCode).toBe(200);
      const task = (await call('GET', `/tasks/${taskId}`, ANA)).body;
      expect(task.context.bots.refetchClaim).toMatchObject({ ok: false, failure: { code: 'BotStepTimedOut' } });
    } finally {
      await sandbox.quirks(DEFAULT_QUIRKS);
    }
    // The bot's context was released: the next run on the same worker works.
    const next = await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'refetchClaim' });
    expect((await settled(next.body.url)).status).toBe('done');
    expect(await attendedExecutions(runId)).toHaveLength(2);
  }, 120_000);

  it('starts an attended bot ahead of a busy batch’s queued items', async () => {
    const { runId, taskId } = await openReview('CLM-1007');
    const accounts = new AccountNumbers();
    const documents = Array.from({ length: 60 }, (_, n) => documentOf(`DOC-${n}`, customer(n, accounts.take()) as never));
    const batch = await call('POST', '/processes/data-entry/runs', { 'x-api-key': SCHEDULER_KEY.key }, { client: 'acme-health', batchKey: uniqueId('busy'), documents, concurrency: 16 });
    expect(batch.status).toBe(201);
    const batchId = await eventually(async () => (await call('GET', `/runs/${batch.body.runId}`, SAM)).body.batches?.[0]?.batchId, 'the batch', 60_000, 250);
    // Wait until the bot worker is busy with the batch and more items queue behind.
    await eventually(async () => ((await call('GET', `/batches/${batchId}`, SAM)).body.counts?.done ?? 0) >= 2, 'the batch to be under way', 120_000, 500);

    try {
      await attendedDuringBatch(runId, taskId, batchId);
    } finally {
      // The rest of the batch would keep the bot workers of the next test files busy: end it here.
      const { client, close } = await temporalClient();
      await Promise.allSettled([batchId, batch.body.runId].map((id: string) => client.workflow.getHandle(id).terminate('attended-bots test done')));
      await close();
    }
  }, 300_000);

  async function attendedDuringBatch(runId: string, taskId: string, batchId: string) {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = Date.now();
      const trigger = await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'refetchClaim' });
      expect(trigger.status).toBe(202);
      await settled(trigger.body.url);
      const events = await historyEvents(runId);
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === trigger.body.attendedRunId)!;
      const started = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1) === Number(scheduled.eventId))!;
      samples.push(msOf(started.eventTime) - sent);
      const progress = (await call('GET', `/batches/${batchId}`, SAM)).body;
      // The batch was still working through its list: the attended run went ahead of its queued items.
      expect(progress.counts.pending + progress.counts.running).toBeGreaterThan(2);
    }
    console.log(`attended start latency during a 60-item batch (trigger → bot started): ${samples.join(', ')} ms`);
    // Behind the batch's queued items it would wait for minutes; ahead of them, well under 10 s
    // however loaded the machine (the figures are printed above, and kept in bench/RESULTS.md).
    for (const ms of samples) expect(ms).toBeLessThan(10_000);
  }
});
