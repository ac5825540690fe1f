// One business item, one outcome, on the real stack: the same claim started again and again (with
// and without keys, racing) is worked by one run; a completed claim is worked again only when a
// supervisor asks; and a bot that finds the claim adjudicated since it read it never writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshClaim, startApi, sandbox, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, uniqueId } from '../support/temporal';
import { bearer, SCHEDULER_KEY } from '../support/auth';

let api: TestApi;
let workers: WorkerProcess[] = [];
const prefix = uniqueId('item');

beforeAll(async () => {
  api = await startApi(prefix);
  workers = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix })]);
});

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop()));
  await api?.close();
});

const ANA = await bearer('ana.lima');
const SAM = await bearer('sam.rivera');
const SCHEDULER = { 'x-api-key': SCHEDULER_KEY.key };

const call = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) => {
  const res = await api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json(), type: String(res.headers['content-type']) };
};
const start = (claimRef: string, headers: Record<string, string> = SCHEDULER) => call('POST', '/processes/claim-review/runs', headers, { client: 'acme-health', claimRef });
const openTask = (runId: string) => eventually(async () => (await call('GET', `/runs/${runId}`, ANA)).body.openTasks[0], `an open task in ${runId}`, 60_000, 150);
const finished = (runId: string) =>
  eventually(async () => {
    const run = (await call('GET', `/runs/${runId}`, ANA)).body;
    return run.status !== 'running' && run;
  }, `run ${runId} to finish`, 60_000, 200);

function expectRefusal(res: { status: number; body: any; type: string }, slug: string, runId: string) {
  expect(res.status).toBe(409);
  expect(res.type).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `urn:tandem:problem:${slug}`, run: { runId, url: `/runs/${runId}` } });
}

describe('one business item, one outcome', () => {
  it('starts a claim four ways and adjudicates it once; the later starts name the first run', async () => {
    const claimRef = freshClaim('CLM-1002');
    const first = await start(claimRef);
    expect(first.status).toBe(201);
    const { runId } = first.body;
    // The demo's start, an API start with a key of its own, another with another key, a person's.
    for (const headers of [SCHEDULER, { ...SCHEDULER, 'idempotency-key': uniqueId('k1') }, { ...SCHEDULER, 'idempotency-key': uniqueId('k2') }, SAM]) {
      expectRefusal(await start(claimRef, headers), 'business-item-open', runId);
    }
    const task = await openTask(runId);
    expect((await call('POST', `/tasks/${task.taskId}/complete`, ANA, { action: 'approve', data: {} })).status).toBe(200);
    expect((await finished(runId)).outcome).toMatchObject({ kind: 'adjudicated', decision: 'approve' });
    expect(await sandbox.ledger({ claimRef })).toHaveLength(1);
    // Done is done: a new start is refused too, pointing at the way to work it again.
    const after = await start(claimRef, { ...SCHEDULER, 'idempotency-key': uniqueId('k3') });
    expectRefusal(after, 'business-item-done', runId);
    expect(after.body.detail).toContain(`/runs/${runId}/reprocess`);
  });

  it('lets 20 racing starts of one claim with different keys make one run', async () => {
    const claimRef = freshClaim('CLM-1007');
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => start(claimRef, { ...SCHEDULER, 'idempotency-key': `${claimRef}-race-${i}` })));
    const created = replies.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const runId = created[0]!.body.runId;
    for (const refused of replies.filter((r) => r.status !== 201)) expectRefusal(refused, 'business-item-open', runId);
    // Each key replays its own answer: the winner's the run, every loser's still a refusal.
    expect((await start(claimRef, { ...SCHEDULER, 'idempotency-key': `${claimRef}-race-0` })).status).toBe(replies[0]!.status === 201 ? 200 : 409);
    const task = await openTask(runId);
    await call('POST', `/tasks/${task.taskId}/complete`, ANA, { action: 'reject', data: { reason: 'Not covered' } });
    await finished(runId);
    expect(await sandbox.ledger({ claimRef })).toHaveLength(1);
  });

  it('ends as a business exception with no write when the claim was adjudicated after the bot read it', async () => {
    const claimRef = freshClaim('CLM-1003');
    const { runId } = (await start(claimRef)).body;
    const review = await openTask(runId);
    // While the reviewer reads, a clerk at the client adjudicates the claim by hand.
    const clerk = await sandbox.adjudicateByHand({ tenant: 'acme-health', claimRef, decision: 'approve', amountCents: 98_050 });
    expect((await call('POST', `/tasks/${review.taskId}/complete`, ANA, { action: 'approve', data: {} })).status).toBe(200);
    const exception = await eventually(async () => {
      const open = (await call('GET', `/runs/${runId}`, ANA)).body.openTasks[0];
      return open && open.taskId !== review.taskId && open;
    }, 'the exception task', 60_000, 200);
    expect(exception.context.failure).toMatchObject({ kind: 'business', code: 'AlreadyAdjudicated' });
    expect(exception.context.failure.message).toContain(`${claimRef} already adjudicated as ${clerk.confirmation}`);
    expect(await sandbox.ledger({ claimRef })).toEqual([expect.objectContaining({ confirmation: clerk.confirmation, reference: 'manual' })]);
    await call('POST', `/tasks/${exception.taskId}/complete`, ANA, { action: 'skip', data: { reason: 'Adjudicated by the client' } });
    expect((await finished(runId)).outcome).toMatchObject({ kind: 'skipped' });
  });

  it('works a completed claim again only for a supervisor with a reason, which its audit keeps', async () => {
    const claimRef = freshClaim('CLM-1001'); // below the threshold: approved and entered without a person
    const { runId } = (await start(claimRef)).body;
    expect((await finished(runId)).status).toBe('completed');
    expect((await call('POST', `/runs/${runId}/reprocess`, ANA, { reason: 'Client asked again' })).status).toBe(403);
    expect((await call('POST', `/runs/${runId}/reprocess`, SAM, {})).body).toMatchObject({ status: 400, field: 'body.reason' });
    const again = await call('POST', `/runs/${runId}/reprocess`, SAM, { reason: 'Client re-sent the claim with a new invoice' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ runId: `${runId}:r2`, created: true, process: 'claim-review' });
    // The reprocessed run reads the claim, finds it adjudicated by the first, and says so: no second write.
    const exception = await openTask(again.body.runId);
    expect(exception.context.failure).toMatchObject({ code: 'AlreadyAdjudicated' });
    expect(await sandbox.ledger({ claimRef })).toHaveLength(1);
    const trail = (await call('GET', `/runs/${again.body.runId}/audit`, SAM)).body;
    expect(trail.entries[0]).toMatchObject({
      action: 'started',
      actor: { operatorId: 'sam.rivera' },
      detail: { reprocess: { reason: 'Client re-sent the claim with a new invoice', by: 'sam.rivera', previousRunId: runId } },
    });
    await call('POST', `/tasks/${exception.taskId}/complete`, SAM, { action: 'skip', data: { reason: 'Already paid' } });
    await finished(again.body.runId);
  });
});
