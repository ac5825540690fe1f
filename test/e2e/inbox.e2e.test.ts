// The operator inbox through the real stack: every task transition as a Workflow Update, races
// between operators, lease expiry, the Redis index flushed and rebuilt, live SSE updates, bulk
// approval, and decisions that still go through with Redis down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildApp } from '../../api/app';
import { TaskIndex } from '../../inbox/task-index';
import { freshClaim, startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, temporalClient, uniqueId } from '../support/temporal';
import { bearer, testAuth } from '../support/auth';

let api: TestApi;
let workers: WorkerProcess[] = [];
const prefix = uniqueId('inbox');
const ANA = await bearer('ana.lima');
const BEN = await bearer('ben.okafor');
const SAM = await bearer('sam.rivera');
const CARLA = await bearer('carla.souza');

beforeAll(async () => {
  api = await startApi(prefix);
  workers = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix })]);
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop()));
  await api?.close();
});

async function call(method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) {
  const res = await api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json(), type: res.headers['content-type'] };
}

/** Starts a ClaimReview run on a claim above the threshold and waits for its review task in the index. */
async function openReview(like = 'CLM-1002', client = 'acme-health'): Promise<{ runId: string; taskId: string; claimRef: string }> {
  const claimRef = freshClaim(like);
  const { runId } = (await call('POST', '/processes/claim-review/runs', SAM, { client, claimRef })).body;
  const task = await eventually(async () => (await call('GET', `/runs/${runId}`, SAM)).body.openTasks[0], 'the review task', 60_000, 150);
  await eventually(async () => (await api.index.get(task.taskId))?.taskId, 'the task in the index');
  return { runId, taskId: task.taskId, claimRef };
}

const finished = (runId: string) => eventually(async () => {
  const run = (await call('GET', `/runs/${runId}`, SAM)).body;
  return run.status !== 'running' && run;
}, `run ${runId} to finish`, 60_000, 200);

function expectProblem(res: { status: number; type: unknown; body: any }, status: number, slug?: string) {
  expect(res.status).toBe(status);
  expect(res.type).toMatch(/^application\/problem\+json/);
  if (slug) expect(res.body.type).toBe(`urn:tandem:problem:${slug}`);
}

describe('operator inbox', () => {
  it('walks a task through claim, renew, comment, label, attended bot, release, reassign, escalate and complete', async () => {
    const { runId, taskId, claimRef } = await openReview('CLM-1003');
    const claimed = await call('POST', `/tasks/${taskId}/claim`, ANA, {});
    expect(claimed.body).toMatchObject({ status: 'claimed', claim: { operatorId: 'ana.lima' } });
    const { leaseId, until } = claimed.body.claim;
    expectProblem(await call('POST', `/tasks/${taskId}/claim`, BEN, {}), 409, 'task-claimed');
    expectProblem(await call('POST', `/tasks/${taskId}/complete`, BEN, { action: 'approve', data: {} }), 409, 'task-claimed');
    await new Promise((r) => setTimeout(r, 20));
    const renewed = await call('POST', `/tasks/${taskId}/renew`, ANA, { leaseId });
    expect(Date.parse(renewed.body.claim.until)).toBeGreaterThan(Date.parse(until));
    expectProblem(await call('POST', `/tasks/${taskId}/renew`, ANA, { leaseId: 'not-mine' }), 409, 'lease-expired');

    expect((await call('POST', `/tasks/${taskId}/comments`, ANA, { text: 'Asked the member for the invoice' })).body.comments).toEqual([
      expect.objectContaining({ by: 'ana.lima', text: 'Asked the member for the invoice' }),
    ]);
    expect((await call('POST', `/tasks/${taskId}/labels`, ANA, { add: ['needs-invoice', 'vip'] })).body.labels).toEqual(['needs-invoice', 'vip']);
    expectProblem(await call('POST', `/tasks/${taskId}/labels`, ANA, { add: ['Not A Label'] }), 400, 'invalid-task-request');

    // An attended bot answers at once (202 and a link); its result lands in the task's context.
    const botRun = await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'refetchClaim' });
    expect(botRun.status).toBe(202);
    await eventually(async () => (await call('GET', botRun.body.url, ANA)).body.status === 'done', 'the attended bot to finish', 60_000, 200);
    expect((await call('GET', `/tasks/${taskId}`, ANA)).body.context.bots.refetchClaim).toMatchObject({ by: 'ana.lima', ok: true, result: { claimRef, amountCents: 98_050 } });
    expectProblem(await call('POST', `/tasks/${taskId}/bots`, ANA, { bot: 'launchMissiles' }), 400, 'invalid-task-request');

    expect((await call('POST', `/tasks/${taskId}/release`, ANA, { leaseId })).body).toMatchObject({ status: 'open' });
    expect((await call('POST', `/tasks/${taskId}/release`, ANA, {})).status).toBe(409);
    expectProblem(await call('POST', `/tasks/${taskId}/reassign`, ANA, { assignee: 'ben.okafor' }), 403);
    expect((await call('POST', `/tasks/${taskId}/reassign`, SAM, { assignee: 'ben.okafor' })).body).toMatchObject({ assignee: 'ben.okafor' });
    expectProblem(await call('POST', `/tasks/${taskId}/claim`, ANA, {}), 409, 'task-claimed');

    const escalated = await call('POST', `/tasks/${taskId}/escalate`, BEN, { reason: 'Amount looks inflated' });
    expect(escalated.body).toMatchObject({ team: 'claims-supervisors', priority: 2, escalated: { by: 'ben.okafor', fromTeam: 'claims-review' } });
    // Ben is not in the supervisors' team: the task is no longer his to see.
    expectProblem(await call('GET', `/tasks/${taskId}`, BEN), 404);
    const supervisors = await eventually(async () => {
      const page = (await call('GET', '/teams/claims-supervisors/tasks', SAM)).body;
      return page.tasks.some((t: { taskId: string }) => t.taskId === taskId) && page;
    }, 'the task in the supervisors’ queue');
    expect(supervisors.tasks.find((t: { taskId: string }) => t.taskId === taskId).labels).toEqual(['needs-invoice', 'vip']);
    expect((await call('GET', '/teams/claims-review/tasks', ANA)).body.tasks.some((t: { taskId: string }) => t.taskId === taskId)).toBe(false);

    const detail = (await call('GET', `/tasks/${taskId}`, SAM)).body;
    expect(detail.form.actions.correct.required).toEqual(expect.arrayContaining(['amountCents', 'reason']));
    expect(detail.run.steps.map((s: { step: string }) => s.step)).toEqual(['extract-claim', 'review']);
    expect(detail.events.map((e: { event: string }) => e.event)).toEqual([
      'opened', 'claimed', 'renewed', 'commented', 'labelled', 'bot-queued', 'bot-run', 'released', 'reassigned', 'escalated',
    ]);

    const done = await call('POST', `/tasks/${taskId}/complete`, SAM, { action: 'correct', data: { amountCents: 90_000, reason: 'Capped at the plan limit' } });
    expect(done.body).toMatchObject({ status: 'completed', decidedBy: { operatorId: 'sam.rivera', team: 'claims-supervisors' } });
    expect((await finished(runId)).outcome).toMatchObject({ amountCents: 90_000, decidedBy: 'sam.rivera' });
  });

  it('gives two operators racing on take-next different tasks, and lets exactly one of two completions win', async () => {
    const a = await openReview('CLM-1007');
    const b = await openReview('CLM-1007');
    await call('POST', `/tasks/${a.taskId}/labels`, ANA, { add: ['race'] }); // keep earlier tests' tasks out of the way below
    const [x, y] = await Promise.all([call('POST', '/teams/claims-review/take-next', ANA, {}), call('POST', '/teams/claims-review/take-next', BEN, {})]);
    expect(x.body.task.taskId).not.toBe(y.body.task.taskId);
    for (const taken of [x.body.task, y.body.task]) expect(taken).toMatchObject({ status: 'claimed' });

    const [first, second] = await Promise.all([
      call('POST', `/tasks/${b.taskId}/complete`, SAM, { action: 'approve', data: {} }),
      call('POST', `/tasks/${b.taskId}/complete`, SAM, { action: 'reject', data: { reason: 'Duplicate claim' } }),
    ]).then((r) => r.sort((p, q) => p.status - q.status));
    expect(first.status).toBe(200);
    expectProblem(second, 409, 'task-already-completed');
    const outcome = (await finished(b.runId)).outcome;
    expect(outcome.decision).toBe(first.body.action === 'approve' ? 'approve' : 'reject');
  });

  it('returns a task to the queue when its lease lapses, and refuses a decision made under the lapsed lease', async () => {
    const { taskId } = await openReview('CLM-2002', 'globex-insurance');
    const claimed = (await call('POST', `/tasks/${taskId}/claim`, ANA, { leaseMs: 1_500 })).body;
    const reopened = await eventually(async () => {
      const t = await api.index.get(taskId);
      return t?.status === 'open' && t;
    }, 'the lease to lapse', 15_000, 100);
    expect(reopened.events.at(-1)).toMatchObject({ event: 'lease-expired', by: 'system', note: 'ana.lima' });
    expectProblem(await call('POST', `/tasks/${taskId}/complete`, ANA, { action: 'approve', data: {}, leaseId: claimed.claim.leaseId }), 409, 'lease-expired');
    const carla = await call('POST', `/tasks/${taskId}/claim`, CARLA, {});
    expect(carla.body.claim.operatorId).toBe('carla.souza');
  });

  it('rebuilds every open task when Redis is flushed mid-shift', async () => {
    await openReview('CLM-1002');
    const before = (await call('GET', '/teams/claims-review/tasks?limit=200', SAM)).body.tasks.map((t: { taskId: string; version: number }) => `${t.taskId}@${t.version}`).sort();
    expect(before.length).toBeGreaterThan(0);
    await api.index.clear();
    const ids = (page: { tasks: Array<{ taskId: string; version: number }> }) => page.tasks.map((t) => `${t.taskId}@${t.version}`).sort();
    // Served from Temporal at once while the index rebuilds in the background, then from the index again.
    const during = (await call('GET', '/teams/claims-review/tasks?limit=200', SAM)).body;
    expect(during).toMatchObject({ source: 'temporal', degraded: { possiblyIncomplete: true } });
    expect(ids(during)).toEqual(before);
    const after = await eventually(async () => {
      const page = (await call('GET', '/teams/claims-review/tasks?limit=200', SAM)).body;
      return page.source === 'index' && page;
    }, 'the rebuilt index to answer');
    expect(ids(after)).toEqual(before);
  });

  it('tells every open inbox within a second that a task was completed (SSE)', async () => {
    const { taskId } = await openReview('CLM-1003');
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.server.address() as { port: number };
    const abort = new AbortController();
    const benToken = BEN.authorization!.replace('Bearer ', '');
    const res = await fetch(`http://127.0.0.1:${port}/teams/claims-review/events?access_token=${benToken}`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let received = '';
    const removed = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        received += new TextDecoder().decode(value);
        if (received.includes(`"type":"removed","taskId":"${taskId}"`)) return Date.now();
      }
    })();
    await eventually(async () => received.includes('event: ready'), 'the stream to open');
    const sent = Date.now();
    expect((await call('POST', `/tasks/${taskId}/complete`, ANA, { action: 'approve', data: {} })).status).toBe(200);
    const at = await removed;
    abort.abort();
    expect(at).not.toBe(false);
    console.log(`complete → SSE removal seen by another operator: ${(at as number) - sent} ms`);
    expect((at as number) - sent).toBeLessThan(1_000);
  });

  it('bulk-approves a selection, reporting the invalid item and applying the others', async () => {
    const one = await openReview('CLM-1002');
    const two = await openReview('CLM-1003');
    await call('POST', `/tasks/${two.taskId}/complete`, ANA, { action: 'reject', data: { reason: 'Not covered' } });
    const res = await call('POST', '/tasks/bulk-complete', ANA, { taskIds: [one.taskId, two.taskId, 'claim-review-nope.t1'], action: 'approve', data: {} });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.results.map((r: { taskId: string }) => [r.taskId, r]));
    expect(byId[one.taskId]).toMatchObject({ ok: true, result: { action: 'approve' } });
    expect(byId[two.taskId]).toMatchObject({ ok: false, problem: { status: 409, type: 'urn:tandem:problem:task-already-completed' } });
    expect(byId['claim-review-nope.t1']).toMatchObject({ ok: false, problem: { status: 404 } });
    expect((await finished(two.runId)).outcome.decision).toBe('reject');
  });

  it('still records decisions with Redis down, and refuses decisions on a cancelled run with 410', async () => {
    const { runId, taskId } = await openReview('CLM-1002');
    const deadRedis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    deadRedis.on('error', () => undefined); // the point of this test: nothing answers
    const { client, close } = await temporalClient();
    const offline = await buildApp({ temporal: client, index: new TaskIndex(deadRedis, { prefix }), auth: testAuth() });
    try {
      const res = await offline.inject({ method: 'POST', url: `/tasks/${taskId}/complete`, headers: ANA, payload: { action: 'approve', data: {} } });
      expect(res.statusCode).toBe(200);
      expect((await finished(runId)).outcome).toMatchObject({ kind: 'adjudicated', decidedBy: 'ana.lima' });

      const cancelled = await openReview('CLM-1003');
      await client.workflow.getHandle(cancelled.runId).cancel();
      await eventually(async () => (await call('GET', `/runs/${cancelled.runId}`, SAM)).body.status === 'cancelled', 'the run to be cancelled');
      expectProblem(await call('POST', `/tasks/${cancelled.taskId}/complete`, ANA, { action: 'approve', data: {} }), 410, 'task-cancelled');
    } finally {
      await offline.close();
      deadRedis.disconnect();
      await close();
    }
  });
});
