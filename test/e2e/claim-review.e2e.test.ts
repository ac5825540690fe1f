// ClaimReview through the whole real stack: HTTP API → Temporal dev server → orchestration and
// bot worker processes → Debian Chromium → the sandbox claims system, whose ledger is the proof.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshClaim, startApi, sandbox, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, stackConfig, stackEnv, temporalClient, uniqueId } from '../support/temporal';
import { bearer, SCHEDULER_KEY, TEST_TOKEN_SETTINGS } from '../support/auth';
import { artifactTexts, decodedHistoryText, leaks, storedSecrets } from '../support/secret-scan';

let api: TestApi;
let orchestration: WorkerProcess;
let bot: WorkerProcess;
const prefix = uniqueId('e2e');

beforeAll(async () => {
  api = await startApi(prefix);
  [orchestration, bot] = await Promise.all([
    WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }),
    WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([orchestration?.stop(), bot?.stop()]);
  await api?.close();
});

const ANA = await bearer('ana.lima');
const CARLA = await bearer('carla.souza');
/** Runs are started by the nightly scheduler's machine key, as in production. */
const SCHEDULER = { 'x-api-key': SCHEDULER_KEY.key };

async function startRun(input: Record<string, unknown>, headers: Record<string, string> = {}) {
  return api.app.inject({ method: 'POST', url: '/processes/claim-review/runs', payload: input, headers: { ...SCHEDULER, ...headers } });
}

async function getRun(runId: string) {
  const res = await api.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: ANA });
  expect(res.statusCode).toBe(200);
  return res.json();
}

const finished = (runId: string, timeoutMs = 60_000) =>
  eventually(async () => {
    const run = await getRun(runId);
    return run.status !== 'running' && run;
  }, `run ${runId} to finish`, timeoutMs, 200);

const firstOpenTask = (runId: string) =>
  eventually(async () => (await getRun(runId)).openTasks[0], `an open task in ${runId}`, 60_000, 200);

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, field?: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, title: expect.any(String), type: expect.stringMatching(/^urn:tandem:problem:/) });
  if (field) expect(body.field).toBe(field);
  return body;
}

/** The start of a bot step (by activity name), read from the run's own history. */
async function botStepStart(runId: string, activity = 'enterAdjudication'): Promise<{ at: number; attempt: number }> {
  const { client, close } = await temporalClient();
  try {
    const events = (await client.workflow.getHandle(runId).fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity);
    const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId));
    const t = started?.eventTime;
    if (!t) throw new Error(`${activity} never started`);
    return { at: Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6), attempt: started.activityTaskStartedEventAttributes?.attempt ?? 0 };
  } finally {
    await close();
  }
}

describe('ClaimReview end to end', () => {
  it('approves a small claim automatically and enters it in the claims system exactly once', async () => {
    const claimRef = freshClaim('CLM-1001');
    const res = await startRun({ client: 'acme-health', claimRef });
    expect(res.statusCode).toBe(201);
    const { runId } = res.json();
    const run = await finished(runId);
    expect(run).toMatchObject({ status: 'completed', client: 'acme-health', businessRef: claimRef });
    expect(run.outcome).toMatchObject({ kind: 'adjudicated', decision: 'approve', amountCents: 12_000, decidedBy: 'auto' });
    expect(run.steps.map((s: { step: string }) => s.step)).toEqual(['extract-claim', 'review', 'enter-decision']);
    const entries = await sandbox.ledger({ reference: `${runId}:enter-decision` });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.confirmation).toBe(run.outcome.confirmation);
  });

  it('sends a large claim to review: bad forms are refused with the field, the decision moves the run on, a second completion conflicts', async () => {
    const claimRef = freshClaim('CLM-1002');
    const { runId } = (await startRun({ client: 'acme-health', claimRef })).json();
    const task = await firstOpenTask(runId);
    const waiting = await getRun(runId);
    expect(waiting.waitingOn).toMatchObject({ kind: 'human', taskId: task.taskId, team: 'claims-review' });
    expect(waiting.sla.remainingMs).toBeGreaterThan(0);

    const inbox = await eventually(async () => {
      const page = (await api.app.inject({ method: 'GET', url: '/teams/claims-review/tasks', headers: ANA })).json();
      return page.tasks.some((t: { taskId: string }) => t.taskId === task.taskId) && page;
    }, 'the task in the team inbox');
    expect(inbox.total).toBeGreaterThanOrEqual(1);

    const detail = (await api.app.inject({ method: 'GET', url: `/tasks/${task.taskId}`, headers: ANA })).json();
    expect(detail.context.claim).toMatchObject({ claimRef, amountCents: 245_000, memberName: 'Bruno Keller' });
    expect(existsSync(join(stackEnv().TANDEM_STATE_DIR!, 'artifacts', detail.context.claim.screenshot))).toBe(true);
    expect(detail.form.jsonSchema).toHaveProperty('oneOf');

    const complete = (payload: unknown, headers: Record<string, string> = ANA) =>
      api.app.inject({ method: 'POST', url: `/tasks/${task.taskId}/complete`, payload: payload as object, headers });

    expectProblem(await complete({ action: 'reject', data: {} }), 400, 'body.data.reason');
    expectProblem(await complete({ action: 'correct', data: { amountCents: 'lots', reason: 'typo' } }), 400, 'body.data.amountCents');
    expectProblem(await complete({ action: 'approve' }, CARLA), 404);
    expectProblem(await complete({ action: 'approve' }, {}), 401, 'headers.authorization');
    expect((await getRun(runId)).openTasks).toHaveLength(1);

    const approved = await complete({ action: 'approve', data: { reason: 'Matches the invoice' } });
    const repliedAt = Date.now();
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'completed', action: 'approve', decidedBy: { operatorId: 'ana.lima', client: 'acme-health' } });
    const again = expectProblem(await complete({ action: 'reject', data: { reason: 'changed my mind' } }), 409);
    expect(again.decidedBy).toMatchObject({ operatorId: 'ana.lima' });

    const run = await finished(runId);
    expect(run.outcome).toMatchObject({ kind: 'adjudicated', decision: 'approve', amountCents: 245_000, decidedBy: 'ana.lima' });
    expect(await sandbox.ledger({ reference: `${runId}:enter-decision` })).toHaveLength(1);
    // Once the run has finished: still a precise conflict for the team, still nothing for outsiders.
    expect(expectProblem(await complete({ action: 'approve', data: {} }), 409).type).toBe('urn:tandem:problem:task-already-completed');
    expectProblem(await complete({ action: 'approve', data: {} }, CARLA), 404);
    const botStartedAfterMs = (await botStepStart(runId)).at - repliedAt;
    console.log(`complete-task reply → enterAdjudication started: ${botStartedAfterMs} ms`);
    await eventually(async () => {
      const page = (await api.app.inject({ method: 'GET', url: '/teams/claims-review/tasks', headers: ANA })).json();
      return !page.tasks.some((t: { taskId: string }) => t.taskId === task.taskId);
    }, 'the task to leave the inbox');
  });

  it('refuses bad start input with the field, and an Idempotency-Key never starts a second run', async () => {
    expectProblem(await startRun({ client: 'acme-health', claimRef: '1002' }), 400, 'body.claimRef');
    expectProblem(await startRun({ claimRef: 'CLM-1002' }), 400, 'body.client');
    expectProblem(await startRun({ client: 'acme-health', claimRef: 'CLM-1002', surprise: 1 }), 400);
    const malformed = await api.app.inject({ method: 'POST', url: '/processes/claim-review/runs', payload: '{"client":', headers: { ...SCHEDULER, 'content-type': 'application/json' } });
    expectProblem(malformed, 400);
    expectProblem(await api.app.inject({ method: 'POST', url: '/processes/no-such-process/runs', payload: {}, headers: SCHEDULER }), 404);

    const key = { 'idempotency-key': uniqueId('key') };
    const claimRef = freshClaim('CLM-1004');
    const first = await startRun({ client: 'acme-health', claimRef }, key);
    const second = await startRun({ claimRef, client: 'acme-health' }, key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ runId: first.json().runId, created: false });
    // The same key and item with another input is a mistake, not a repeat.
    expectProblem(await startRun({ client: 'acme-health', claimRef, priority: 1 }, key), 409, 'header.idempotency-key');
    await finished(first.json().runId);
    expect(await sandbox.ledger({ reference: `${first.json().runId}:enter-decision` })).toHaveLength(1);
  });

  it('turns an unknown claim into a human exception task with a screenshot, not a crash', async () => {
    const { runId } = (await startRun({ client: 'acme-health', claimRef: 'CLM-9999' })).json();
    const task = await firstOpenTask(runId);
    expect(task).toMatchObject({ kind: 'claim-review.exception', actions: ['retry', 'skip', 'complete-manually'] });
    expect(task.context.failure).toMatchObject({ kind: 'business', code: 'ClaimNotFound' });
    expect(existsSync(join(stackEnv().TANDEM_STATE_DIR!, 'artifacts', task.context.failure.evidence.screenshot))).toBe(true);
    const res = await api.app.inject({ method: 'POST', url: `/tasks/${task.taskId}/complete`, payload: { action: 'skip', data: { reason: 'Claim withdrawn by the client' } }, headers: ANA });
    expect(res.statusCode).toBe(200);
    expect((await finished(runId)).outcome).toMatchObject({ kind: 'skipped', decidedBy: 'ana.lima' });
  });

  it('retries a system fault (the claims system answers 500) and carries on', async () => {
    await sandbox.quirks({ failNextRequests: 1 });
    const { runId } = (await startRun({ client: 'acme-health', claimRef: freshClaim('CLM-1006'), autoApproveBelowCents: 100_000 })).json();
    const run = await finished(runId);
    expect(run.outcome).toMatchObject({ kind: 'adjudicated', decidedBy: 'auto' });
    expect((await botStepStart(runId, 'extractClaim')).attempt).toBe(2);
  });

  it('enters the decision exactly once when the bot worker is killed right after submitting', async () => {
    // The claims system commits the adjudication, then takes 5 s to answer: the kill lands in between.
    await sandbox.quirks({ submitResponseDelayMs: 5_000 });
    try {
      const { runId } = (await startRun({ client: 'acme-health', claimRef: freshClaim('CLM-1005') })).json();
      const reference = `${runId}:enter-decision`;
      await eventually(async () => (await sandbox.ledger({ reference })).length > 0, 'the adjudication in the ledger', 60_000, 50);
      await bot.kill();
      await sandbox.quirks({ submitResponseDelayMs: 0 });
      bot = await WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix });
      const run = await finished(runId, 90_000);
      expect(run.status).toBe('completed');
      const entries = await sandbox.ledger({ reference });
      expect(entries).toHaveLength(1);
      expect(run.outcome.confirmation).toBe(entries[0]!.confirmation);
      // The step really was retried on the new worker (the one that submitted died).
      expect((await botStepStart(runId)).attempt).toBeGreaterThanOrEqual(2);
    } finally {
      await sandbox.quirks({ submitResponseDelayMs: 0 });
    }
  });

  it('leaves no secret in any run history, log, error reply or artifact', async () => {
    const secrets = [
      ...(await storedSecrets(stackConfig())),
      TEST_TOKEN_SETTINGS.secret!,
      ANA.authorization!.replace('Bearer ', ''),
      CARLA.authorization!.replace('Bearer ', ''),
      SCHEDULER_KEY.key,
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const places = new Map<string, string>();
    const { client, close } = await temporalClient();
    try {
      for await (const execution of client.workflow.list({ query: "TandemProcess = 'claim-review'" })) {
        places.set(`history ${execution.workflowId}`, await decodedHistoryText(client, execution.workflowId));
      }
    } finally {
      await close();
    }
    expect(places.size).toBeGreaterThanOrEqual(5);
    // The scan can find what it looks for: the decoded histories do hold the claims' data.
    expect([...places.values()].some((text) => text.includes('Bruno Keller'))).toBe(true);
    places.set('bot worker log', bot.log);
    places.set('orchestration worker log', orchestration.log);
    places.set('api log', api.logs());
    api.errorReplies().forEach((body, i) => places.set(`error reply ${i}`, body));
    const artifacts = artifactTexts(join(stackEnv().TANDEM_STATE_DIR!, 'artifacts'));
    expect([...artifacts.keys()].some((k) => k.includes('.zip!'))).toBe(true); // traces were read inside
    for (const [where, text] of artifacts) places.set(where, text);
    expect(leaks(places, secrets)).toEqual([]);
  });
});
