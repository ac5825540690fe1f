// Cancelling a run on the real stack (Temporal, Redis, both workers, the sandbox claims system):
// who may, what a cancelled run leaves behind in the inbox (index and live feed) and in the client
// application, and what its audit says. A bot step in flight when the cancel comes writes
// nothing; an adjudication already entered is reversed exactly once, however often cancel is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../api/auth/token-verifier';
import { freshClaim, startApi, sandbox, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, uniqueId } from '../support/temporal';
import { bearer, TEST_TOKEN_SETTINGS } from '../support/auth';

let api: TestApi;
let workers: WorkerProcess[] = [];
const prefix = uniqueId('cancel');

beforeAll(async () => {
  api = await startApi(prefix);
  workers = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix })]);
});
afterAll(async () => {
  await sandbox.quirks({ slowPageProbability: 0 }).catch(() => undefined);
  await Promise.allSettled(workers.map((w) => w.stop()));
  await api?.close();
});

const ANA = await bearer('ana.lima'); // operator
const BEN = await bearer('ben.okafor'); // operator, acme-health only: watches the live feed
const SAM = await bearer('sam.rivera'); // supervisor
const OMAR = await bearer('omar.haddad'); // process admin
const VERA = await bearer('vera.acme'); // the client's own viewer
// A supervisor of the other client only: an acme-health run is as unknown to her as a missing one.
const GLOBEX_SUPERVISOR = {
  authorization: `Bearer ${await mintToken(TEST_TOKEN_SETTINGS, { id: 'gina.globex', name: 'Gina (Globex lead)', roles: ['supervisor'], teams: ['claims-review'], clients: ['globex-insurance'] })}`,
};

type Reply = { status: number; body: any; type: string };
const call = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object): Promise<Reply> => {
  const res = await api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json(), type: String(res.headers['content-type']) };
};
const cancel = (runId: string, headers: Record<string, string>, payload: object = { reason: 'Client withdrew the claim' }) => call('POST', `/runs/${runId}/cancel`, headers, payload);
const run = async (runId: string) => (await call('GET', `/runs/${runId}`, SAM)).body;
const closed = (runId: string) => eventually(async () => ((await run(runId)).status !== 'running' ? run(runId) : false), `run ${runId} to close`, 60_000, 100);

function expectProblem(res: Reply, status: number, slug: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.type).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toBe(`urn:tandem:problem:${slug}`);
}

async function startClaim(input: Record<string, unknown> = {}): Promise<{ runId: string; claimRef: string }> {
  const claimRef = freshClaim('CLM-1002'); // 2,450.00: above the auto-approval threshold
  const started = await call('POST', '/processes/claim-review/runs', SAM, { client: 'acme-health', claimRef, ...input });
  expect(started.status).toBe(201);
  return { runId: started.body.runId, claimRef };
}
const openTask = (runId: string, kind?: string) =>
  eventually(async () => (await run(runId)).openTasks.find((t: { kind: string }) => !kind || t.kind === kind), `an open task in ${runId}`, 60_000, 100);

/** Follows a team's live feed as an operator would (SSE); resolves the time a task's removal arrives. */
async function watchFeed(team: string, headers: Record<string, string>) {
  if (!api.app.server.listening) await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as { port: number };
  const abort = new AbortController();
  const token = headers.authorization!.replace('Bearer ', '');
  const res = await fetch(`http://127.0.0.1:${port}/teams/${team}/events?access_token=${token}`, { signal: abort.signal });
  const reader = res.body!.getReader();
  let received = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      received += new TextDecoder().decode(value);
    }
  })();
  await eventually(async () => received.includes('event: ready'), 'the stream to open');
  return {
    removedAt: (taskId: string) => eventually(async () => received.includes(`"type":"removed","taskId":"${taskId}"`) && Date.now(), `the removal of ${taskId} on the feed`, 5_000, 5),
    close: () => abort.abort(),
  };
}

describe('cancelling a run', () => {
  it('withdraws a waiting run’s task from the index and the live feed within a second; decisions on it answer 410', async () => {
    const { runId, claimRef } = await startClaim();
    const task = await openTask(runId);
    await eventually(async () => (await api.index.get(task.taskId))?.taskId, 'the task in the index');

    // Who may: supervisors and process admins of the run's client, with a reason.
    expectProblem(await cancel(runId, ANA), 403, 'forbidden');
    expectProblem(await cancel(runId, VERA), 403, 'forbidden');
    expectProblem(await cancel(runId, GLOBEX_SUPERVISOR), 404, 'run-not-found');
    const noReason = await cancel(runId, SAM, {});
    expectProblem(noReason, 400, 'invalid-request');
    expect(noReason.body.field).toBe('body.reason');
    expect((await cancel(runId, SAM, { reason: ' ' })).body.field).toBe('body.reason');
    expect((await run(runId)).status).toBe('running'); // none of that touched it

    const feed = await watchFeed('claims-review', BEN);
    let sent = 0, replied = 0, seenOnFeed = 0, goneFromIndex = 0;
    try {
      sent = Date.now();
      const reply = await cancel(runId, SAM);
      replied = Date.now();
      expect(reply.status, JSON.stringify(reply.body)).toBe(202);
      expect(reply.body).toMatchObject({ runId, cancellation: { by: 'sam.rivera', reason: 'Client withdrew the claim' } });
      const [feedAt, indexAt] = await Promise.all([
        feed.removedAt(task.taskId),
        // The time the first read that no longer shows the task was sent.
        eventually(async () => {
          const asked = Date.now();
          const queue = (await call('GET', '/teams/claims-review/tasks?limit=200', ANA)).body;
          return !queue.tasks.some((t: { taskId: string }) => t.taskId === task.taskId) && asked;
        }, 'the task to leave the team queue', 5_000, 5),
      ]);
      seenOnFeed = feedAt as number;
      goneFromIndex = indexAt as number;
    } finally {
      feed.close();
    }
    console.log(`cancel reply ${replied - sent} ms; reply → SSE removal ${seenOnFeed - replied} ms; reply → first GET /teams/claims-review/tasks without it sent ${goneFromIndex - replied} ms`);
    expect(seenOnFeed - replied).toBeLessThan(1_000);
    expect(goneFromIndex - replied).toBeLessThan(1_000);

    const ended = await closed(runId);
    expect(ended).toMatchObject({ status: 'cancelled', phase: 'cancelled', openTasks: [], cancellation: { by: 'sam.rivera', compensations: [] } });
    for (const [action, body] of [['complete', { action: 'approve', data: {} }], ['claim', {}], ['comments', { text: 'too late?' }]] as const) {
      expectProblem(await call('POST', `/tasks/${task.taskId}/${action}`, ANA, body), 410, 'task-cancelled');
    }
    const again = await cancel(runId, OMAR);
    expectProblem(again, 409, 'run-closed');
    expect(again.body).toMatchObject({ runStatus: 'cancelled', run: { runId } });
    await eventually(async () => (await call('GET', `/runs?status=cancelled&businessRef=${claimRef}`, SAM)).body.runs.some((r: { runId: string }) => r.runId === runId), 'the run in the cancelled runs list');

    const trail = (await call('GET', `/runs/${runId}/audit`, SAM)).body.entries as Array<{ action: string; actor: any; detail?: any }>;
    expect(trail.find((e) => e.action === 'cancel-run')).toMatchObject({ actor: { operatorId: 'sam.rivera' }, detail: { reason: 'Client withdrew the claim' } });
    expect(trail.map((e) => e.action)).toEqual(expect.arrayContaining(['cancel-run', 'cancel-requested', 'task-cancelled', 'finished']));
    expect(await sandbox.ledger({ claimRef })).toEqual([]);
  });

  it('stops a bot step in flight: nothing is written after the cancel, and there is nothing to reverse', async () => {
    const { runId, claimRef } = await startClaim();
    const task = await openTask(runId);
    // Every claims-system page now takes 3 s: the bot entering the decision is mid-step when the cancel comes.
    await sandbox.quirks({ slowPageProbability: 1, slowPageDelayMs: 3_000 });
    try {
      expect((await call('POST', `/tasks/${task.taskId}/complete`, ANA, { action: 'approve', data: {} })).status).toBe(200);
      await eventually(async () => (await run(runId)).waitingOn?.bot === 'enterAdjudication', 'the bot to be entering the decision', 20_000, 50);
      await new Promise((r) => setTimeout(r, 500));
      const reply = await cancel(runId, OMAR, { reason: 'Member disputes the claim' });
      const cancelledAt = new Date().toISOString();
      expect(reply.status).toBe(202);
      const ended = await closed(runId);
      expect(ended.status).toBe('cancelled');
      // Long enough for any page the bot had asked for to have been answered (and any submit recorded).
      await new Promise((r) => setTimeout(r, 7_000));
      const ledger = await sandbox.ledger({ claimRef });
      const afterCancel = ledger.filter((e) => e.at >= cancelledAt);
      console.log(`bot step in flight at the cancel: ledger writes after the cancel ${afterCancel.length}, writes in all ${ledger.length}`);
      expect(afterCancel).toEqual([]);
      expect(ledger).toEqual([]);
      expect(ended.cancellation).toMatchObject({ by: 'omar.haddad', reason: 'Member disputes the claim', compensations: [{ step: 'enter-decision', name: 'reverse-adjudication', outcome: 'nothing-to-undo' }] });
      const trail = (await call('GET', `/runs/${runId}/audit`, SAM)).body.entries as Array<{ action: string; detail?: any; outcome: string }>;
      const entering = trail.filter((e) => e.action === 'bot-step' && e.detail?.activity === 'enterAdjudication');
      expect(entering.at(-1)?.outcome).not.toBe('done');
      expect(trail.find((e) => e.action === 'compensated')).toMatchObject({ detail: { step: 'enter-decision', compensation: 'reverse-adjudication', result: 'nothing-to-undo', cancelledBy: 'omar.haddad' } });
    } finally {
      await sandbox.quirks({ slowPageProbability: 0 });
    }
  });

  it('reverses an adjudication already entered exactly once, however often the cancel is sent', async () => {
    // Every decision is sampled for QA: the run waits at the QA task after the bot has entered the adjudication.
    const { runId, claimRef } = await startClaim({ qaSampling: { botRate: 0, humanRate: 1, team: 'claims-review' } });
    const review = await openTask(runId);
    expect((await call('POST', `/tasks/${review.taskId}/complete`, ANA, { action: 'approve', data: {} })).status).toBe(200);
    const qa = await eventually(async () => (await run(runId)).openTasks.find((t: { taskId: string }) => t.taskId !== review.taskId), 'the QA task', 60_000, 100);
    const [entered] = await sandbox.ledger({ claimRef });
    expect(entered).toMatchObject({ confirmation: expect.stringMatching(/^ADJ-/), reference: `${runId}:enter-decision` });

    // Two supervisors at once, then the same one again while the reversal is under way.
    const [first, second] = await Promise.all([cancel(runId, SAM), cancel(runId, OMAR, { reason: 'Duplicate of another claim' })]);
    expect([first.status, second.status]).toEqual([202, 202]);
    const who = (r: Reply) => ({ by: r.body.cancellation.by, reason: r.body.cancellation.reason, requestedAt: r.body.cancellation.requestedAt });
    expect(who(second)).toEqual(who(first)); // one request recorded; the other answered with it
    const third = await cancel(runId, SAM);
    expect(third.status === 202 || third.body.runStatus === 'cancelled').toBe(true);

    const ended = await closed(runId);
    const ledger = await sandbox.ledger({ claimRef });
    const reversals = ledger.filter((e) => e.reverses);
    console.log(`compensation: ledger ${ledger.map((e) => e.confirmation + (e.reverses ? `→${e.reverses}` : '')).join(', ')}`);
    expect(reversals).toHaveLength(1);
    expect(reversals[0]).toMatchObject({ reverses: entered!.confirmation, reference: `${runId}:cancel:${entered!.confirmation}`, confirmation: expect.stringMatching(/^REV-/) });
    expect(ended.cancellation.compensations).toEqual([
      expect.objectContaining({ step: 'enter-decision', name: 'reverse-adjudication', outcome: 'done', detail: { reversed: [expect.objectContaining({ adjudication: entered!.confirmation, reversal: reversals[0]!.confirmation, submitted: true })] } }),
    ]);
    expectProblem(await call('POST', `/tasks/${qa.taskId}/complete`, ANA, { action: 'pass', data: {} }), 410, 'task-cancelled');
    const trail = (await call('GET', `/runs/${runId}/audit`, SAM)).body.entries as Array<{ action: string; actor: any; detail?: any; outcome: string }>;
    expect(trail.filter((e) => e.action === 'cancel-run')).toHaveLength(1);
    // What the process declares it undoes is what the run recorded.
    const declared = (await call('GET', '/processes', SAM)).body.find((p: { name: string }) => p.name === 'claim-review').compensations;
    expect(declared).toEqual([expect.objectContaining({ step: 'enter-decision', name: 'reverse-adjudication' })]);
    expect(trail.find((e) => e.action === 'compensated')).toMatchObject({ outcome: 'done', detail: { result: 'done', found: { reversed: [expect.objectContaining({ reversal: reversals[0]!.confirmation })] } } });
  });
});
