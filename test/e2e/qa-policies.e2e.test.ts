// A client's QA policy on the real stack (API, Temporal dev server, orchestration and bot worker
// processes, Chromium bots against the sandbox claims system): read as declared, changed with a
// version and who changed it, kept in Temporal; a run started after a change samples by the new
// policy, a run already in flight keeps the one it started with, and the sampled claim's review
// reaches the QA team's queue through the task routes. Who may change it, and set a run's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshClaim, startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { eventually, temporalClient, uniqueId } from '../support/temporal';
import { bearer, SCHEDULER_KEY } from '../support/auth';
import { claimReviewQaPolicies } from '../../workflows/claim-review/service-levels';
import type { QaSampling } from '../../workflows/engine/service-level';
import { ProcessRuns } from '../../api/process-runs';

let api: TestApi;
let orchestration: WorkerProcess;
let bot: WorkerProcess;
const prefix = uniqueId('qapolicy');
const ACME = 'acme-health';
const URL_ACME = `/clients/${ACME}/qa-policies/claim-review`;

beforeAll(async () => {
  // This API's records are its own (scoped by its prefix), so changing acme's policy here leaves
  // every other test's runs alone; the declared defaults are on, as in production.
  api = await startApi(prefix, { qaDefaults: 'declared' });
  [orchestration, bot] = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix })]);
});

afterAll(async () => {
  await Promise.allSettled([orchestration?.stop(), bot?.stop()]);
  await api?.close();
});

const SAM = await bearer('sam.rivera');
const OMAR = await bearer('omar.haddad'); // process admin
const ANA = await bearer('ana.lima'); // operator
const VERA = await bearer('vera.acme'); // acme-health's own viewer
const NINA = await bearer('nina.berg'); // scheduler
const QUINN = await bearer('quinn.reyes'); // the QA team
const SCHEDULER = { 'x-api-key': SCHEDULER_KEY.key };
const NOBODY: QaSampling = { botRate: 0, humanRate: 0, alwaysForOperators: [], team: 'claims-qa', seed: 'qa-v1', corrections: true };
const EVERY_DECISION: QaSampling = { ...NOBODY, botRate: 1, humanRate: 1 };

const call = (method: 'GET' | 'PUT' | 'POST', url: string, headers: Record<string, string>, payload?: object) => api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function getRun(runId: string) {
  const res = await call('GET', `/runs/${runId}`, SAM);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Starts a claim needing review (CLM-1003: 980.50, over the auto-approval threshold). */
async function startClaim(headers: Record<string, string> = SCHEDULER, extra: object = {}): Promise<string> {
  const res = await call('POST', '/processes/claim-review/runs', headers, { client: ACME, claimRef: freshClaim('CLM-1003'), ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().runId;
}

const openTask = (runId: string, kind: string) =>
  eventually(async () => ((await getRun(runId)).openTasks as Array<{ taskId: string; kind: string }>).find((t) => t.kind === kind), `a ${kind} task in ${runId}`, 90_000, 250);

async function approve(taskId: string): Promise<void> {
  const res = await call('POST', `/tasks/${taskId}/complete`, ANA, { action: 'approve', data: { reason: 'Matches the invoice' } });
  expect(res.statusCode, res.body).toBe(200);
}

/** What the run was started with: its input (read from its history) and its start memo. */
async function startedWith(runId: string): Promise<{ qaSampling?: QaSampling; memo: Record<string, unknown> }> {
  const { client, close } = await temporalClient();
  try {
    const input = (await new ProcessRuns(client).inputOf(runId)) as { qaSampling?: QaSampling };
    return { qaSampling: input.qaSampling, memo: (await client.workflow.getHandle(runId).describe()).memo ?? {} };
  } finally {
    await close();
  }
}

describe('QA policies per client and process', () => {
  it('serves the declared default, to the client’s viewer too; another client’s is not found; only supervisors and process admins change it', async () => {
    const res = await call('GET', URL_ACME, VERA);
    expect(res.statusCode, res.body).toBe(200);
    const declared = claimReviewQaPolicies.find((p) => p.client === ACME)!;
    expect(res.json()).toMatchObject({ client: ACME, process: 'claim-review', source: 'declared', current: { version: 1, changedBy: 'declaration', policy: declared.policy } });
    expect(declared.policy).toMatchObject({ botRate: 0.05, alwaysForOperators: ['ben.okafor'], team: 'claims-qa' });

    expect((await call('GET', `/clients/initech/qa-policies/claim-review`, VERA)).statusCode).toBe(404); // not vera's client
    expect((await call('GET', `/clients/globex-insurance/qa-policies/claim-review`, OMAR)).statusCode).toBe(200);
    expect((await call('GET', `${URL_ACME.replace('claim-review', 'payroll-run')}`, SAM)).json()).toMatchObject({ status: 404 }); // no QA in payroll
    for (const who of [VERA, ANA, NINA]) expect((await call('PUT', URL_ACME, who, { policy: NOBODY })).statusCode).toBe(403);
    const bad = await call('PUT', URL_ACME, SAM, { policy: { ...NOBODY, botRate: 1.5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('body.policy.botRate');
    expect((await call('GET', URL_ACME, SAM)).json().current.version).toBe(1); // nothing was recorded
  });

  it('a new run samples by the changed policy, a run in flight keeps the one it started with, and the QA task is worked through the task routes', async () => {
    // Version 2: sample nothing. The first run starts under it and waits for its review.
    const v2 = await call('PUT', URL_ACME, SAM, { policy: NOBODY, note: 'Pause sampling during the audit', expectedVersion: 1 });
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json()).toMatchObject({ source: 'changed', current: { version: 2, changedBy: 'sam.rivera', policy: NOBODY, note: 'Pause sampling during the audit' } });
    const inFlight = await startClaim();
    const firstReview = await openTask(inFlight, 'claim-review.review');

    // Version 3, by a process admin: every decision is reviewed. A change from a stale read is refused.
    const v3 = await call('PUT', URL_ACME, OMAR, { policy: EVERY_DECISION, expectedVersion: 2 });
    expect(v3.statusCode, v3.body).toBe(200);
    expect(v3.json().current).toMatchObject({ version: 3, changedBy: 'omar.haddad' });
    expect(Date.parse(v3.json().current.changedAt)).toBeGreaterThan(Date.now() - 60_000);
    const stale = await call('PUT', URL_ACME, SAM, { policy: NOBODY, expectedVersion: 2 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ type: 'urn:tandem:problem:qa-policy-changed', field: 'body.expectedVersion', current: { version: 3 } });
    const read = (await call('GET', URL_ACME, VERA)).json();
    expect(read.history.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const afterChange = await startClaim();

    // Each run carries its own policy in its input, and its memo says which version.
    expect(await startedWith(inFlight)).toMatchObject({ qaSampling: NOBODY, memo: { qaPolicy: { source: 'client-policy', version: 2 } } });
    expect(await startedWith(afterChange)).toMatchObject({ qaSampling: EVERY_DECISION, memo: { qaPolicy: { source: 'client-policy', version: 3 } } });

    await approve(firstReview.taskId);
    await approve((await openTask(afterChange, 'claim-review.review')).taskId);
    const done = await eventually(async () => {
      const run = await getRun(inFlight);
      return run.status === 'completed' && run;
    }, 'the run in flight to finish', 90_000, 250);
    // Drawn by its own policy (nothing sampled), so no QA task: the run's facts say so.
    expect(done.outcome).toMatchObject({ kind: 'adjudicated', decidedBy: 'ana.lima' });
    expect((await startedWith(inFlight)).memo.tandemFact).toMatchObject({ qa: { sampled: false, probability: 0, why: 'human-rate' } });

    // The run started after the change went to QA: the QA team takes it from its queue and passes it.
    const qa = await openTask(afterChange, 'claim-review.qa');
    const queue = await call('GET', '/teams/claims-qa/tasks', QUINN);
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json().tasks.map((t: { taskId: string }) => t.taskId)).toContain(qa.taskId);
    const next = await eventually(async () => {
      const taken = (await call('POST', '/teams/claims-qa/take-next', QUINN, {})).json() as { task?: { taskId: string; context: Record<string, unknown> }; leaseId?: string };
      return taken.task?.taskId === qa.taskId ? taken : undefined;
    }, 'take-next to give QUINN the QA task', 30_000, 250);
    expect(next.task!.context.qa).toMatchObject({ sampled: true, why: 'human-rate', probability: 1 });
    const passed = await call('POST', `/tasks/${qa.taskId}/complete`, QUINN, { action: 'pass', data: { note: 'Amount matches' }, leaseId: next.leaseId });
    expect(passed.statusCode, passed.body).toBe(200);
    await eventually(async () => (await getRun(afterChange)).status === 'completed', 'the sampled run to finish', 60_000, 250);
  });

  it('lets only supervisors and process admins set a run’s own sampling, recorded as the run’s', async () => {
    for (const who of [SCHEDULER, NINA]) {
      const refused = await call('POST', '/processes/claim-review/runs', who, { client: ACME, claimRef: freshClaim('CLM-1003'), qaSampling: NOBODY });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().field).toBe('body.qaSampling');
    }
    const refusedSchedule = await call('POST', '/schedules', NINA, {
      process: 'claim-review',
      spec: { cron: ['0 9 * * 1'], timezone: 'UTC' },
      input: { client: ACME, claimRef: 'CLM-1003', qaSampling: NOBODY },
    });
    expect(refusedSchedule.statusCode, refusedSchedule.body).toBe(403);
    expect(refusedSchedule.json().field).toBe('body.input.qaSampling');

    const own = await startClaim(SAM, { qaSampling: NOBODY });
    expect((await startedWith(own)).memo).toMatchObject({ qaPolicy: { source: 'run-input' } });
    const cancel = await call('POST', `/runs/${own}/cancel`, SAM, { reason: 'Test done with it' });
    expect(cancel.statusCode, cancel.body).toBe(202);
  });
});
