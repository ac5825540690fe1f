// Run facts end to end on the real Temporal server: ClaimReview runs for two clients (a bot
// success, a review, a business exception, QA failures with a correction, a breach, an open item)
// leave their facts in their memos; the reporting store is fed and rebuilt from Temporal; the KPIs
// API answers each client's viewer with that client's figures only. Bots and the inbox index are
// faked (as in test/workflows/claim-review.test.ts); Temporal, Redis and DuckDB are real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { BOT_TASK_QUEUE } from '../../workflows/engine/bot-step';
import { BUSINESS_EXCEPTION } from '../../workflows/engine/failures';
import { claimTaskUpdate, completeTaskUpdate, runViewQuery, type Actor, type HumanTaskView } from '../../workflows/engine/messages';
import { RUN_FACT_MEMO, type RunFact } from '../../workflows/engine/run-facts';
import { defineServiceLevels, type QaSampling } from '../../workflows/engine/service-level';
import type { ClaimReviewBots, EnterAdjudicationInput } from '../../workflows/claim-review/bots';
import type { ExtractedClaim } from '../../workflows/claim-review/schema';
import { catalogue } from '../../platform/process-catalogue';
import { buildApp } from '../../api/app';
import { ClientOversight } from '../../api/client-oversight';
import { TaskIndex } from '../../inbox/task-index';
import { mintToken } from '../../api/auth/token-verifier';
import type { KpiReport } from '../../reporting/kpi-report';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';
import { TEST_TOKEN_SETTINGS, testAuth } from '../support/auth';

const suffix = Math.random().toString(36).slice(2, 8);
const EAST = `facts-east-${suffix}`;
const WEST = `facts-west-${suffix}`;
const HOUR = 3_600_000;
const levels = defineServiceLevels(
  [EAST, WEST].map((client) => ({
    client,
    process: 'claim-review',
    version: 1,
    effectiveFrom: '2020-01-01',
    calendar: { timeZone: 'UTC', workdays: [1, 2, 3, 4, 5, 6, 7], opens: '00:00', closes: '23:59' },
    turnaround: { targetMs: 4 * HOUR, clock: 'calendar' as const, attainment: 0.9 },
    quality: { passTarget: 0.98 },
    straightThrough: { target: 0.5 },
    cost: { currency: 'USD', operatorPerHour: 60, botPerHour: 6, perItemFee: 0.5 },
  })),
);
const processes = catalogue.processes.map((p) => (p.name === 'claim-review' ? { ...p, serviceLevels: levels } : p));
const QA_ALL: QaSampling = { botRate: 1, humanRate: 1, alwaysForOperators: [], team: 'claims-qa', seed: 'qa-v1', corrections: true };

const reviewer = (client: string): Actor => ({ operatorId: 'ana.lima', teams: ['claims-review'], clients: [client], roles: ['operator'] });
const qaLead = (client: string): Actor => ({ operatorId: 'quinn.qa', teams: ['claims-qa'], clients: [client], roles: ['operator'] });

const CLAIMS: Record<string, number> = { 'CLM-1001': 12_000, 'CLM-1002': 245_000, 'CLM-1003': 9_000, 'CLM-1004': 8_000, 'CLM-1005': 7_000, 'CLM-1006': 300_000 };
const claim = (claimRef: string): ExtractedClaim => ({ claimRef, memberId: 'M-1', memberName: 'Jo Doe', diagnosisCode: 'J45.909', amountCents: CLAIMS[claimRef]!, status: 'open', submittedOn: '2026-11-01' });

const entered: EnterAdjudicationInput[] = [];
const bots: ClaimReviewBots = {
  extractClaim: async ({ claimRef }) => {
    if (claimRef === 'CLM-0404') throw ApplicationFailure.create({ type: BUSINESS_EXCEPTION, message: 'not found', nonRetryable: true, details: [{ code: 'ClaimNotFound', details: {} }] });
    return claim(claimRef);
  },
  enterAdjudication: async (input) => {
    // Exactly once per reference, as the claims system's check-before-write makes it.
    if (!entered.some((e) => e.reference === input.reference)) entered.push(input);
    return { reference: input.reference, decision: input.decision, amountCents: input.amountCents, confirmation: `ADJ-${entered.length}`, submitted: true };
  },
  reverseAdjudications: async () => ({ reversed: [] }),
};

let connection: NativeConnection;
let client: Client;
let closeClient: () => Promise<void>;
let oversight: ClientOversight;
let app: FastifyInstance;
let redis: Redis;
const taskQueue = uniqueId('facts-orchestration');
let stopWorkers: () => void;
let workersDone: Promise<unknown>;

beforeAll(async () => {
  connection = await workerConnection();
  ({ client, close: closeClient } = await temporalClient(stackEnv().TANDEM_UNIT_NAMESPACE));
  const namespace = stackEnv().TANDEM_UNIT_NAMESPACE!;
  const common = { connection, namespace, dataConverter: workerDataConverter() };
  const orchestration = await Worker.create({
    ...common,
    taskQueue,
    workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
    activities: { syncTask: async () => ({}), emitEvent: async () => undefined },
  });
  const botWorker = await Worker.create({ ...common, taskQueue: BOT_TASK_QUEUE, activities: bots });
  workersDone = Promise.all([orchestration.run(), botWorker.run()]);
  stopWorkers = () => {
    orchestration.shutdown();
    botWorker.shutdown();
  };
  oversight = await ClientOversight.open(client, processes);
  redis = new Redis(stackEnv().REDIS_URL!);
  app = await buildApp({ temporal: client, index: new TaskIndex(redis, { prefix: uniqueId('facts') }), auth: testAuth(), oversight, processes });
});
afterAll(async () => {
  await app?.close();
  await oversight?.close();
  await redis?.quit();
  stopWorkers?.();
  await workersDone;
  await closeClient?.();
  await connection?.close();
});

const start = (clientId: string, claimRef: string, extra: Record<string, unknown> = {}) =>
  client.workflow.start('claimReview', { taskQueue, workflowId: uniqueId(`claim-review-${claimRef}`), args: [{ client: clientId, claimRef, ...extra }] });

const openTask = (handle: WorkflowHandle, kind: string) =>
  eventually(async () => (await handle.query(runViewQuery)).openTasks.find((t: HumanTaskView) => t.kind === kind), `an open ${kind} task`);

async function decide(handle: WorkflowHandle, kind: string, actor: Actor, action: string, data: object): Promise<void> {
  const task = await openTask(handle, kind);
  await handle.executeUpdate(claimTaskUpdate, { args: [{ taskId: task.taskId, actor }] });
  await new Promise((r) => setTimeout(r, 50));
  await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action, data, actor }] });
}

const viewer = async (clients: string[], roles: Array<'client-viewer' | 'operator'> = ['client-viewer']) => ({
  authorization: `Bearer ${await mintToken(TEST_TOKEN_SETTINGS, { id: `viewer-${clients.join('-')}`, name: 'Viewer', roles, teams: [], clients })}`,
});

describe('run facts from real runs', () => {
  it('feeds every run’s fact into the store and reports each client its own KPIs', async () => {
    const began = Date.now();
    const longAgo = new Date(began - 30 * HOUR).toISOString();
    // East: a bot success, a breach (received 30 h ago), a review, a business exception, QA fail + correction, QA pass.
    const stp = await start(EAST, 'CLM-1001');
    const breach = await start(EAST, 'CLM-1003', { receivedAt: longAgo });
    const review = await start(EAST, 'CLM-1002');
    const exception = await start(EAST, 'CLM-0404');
    const qaFail = await start(EAST, 'CLM-1004', { qaSampling: QA_ALL });
    const qaPass = await start(EAST, 'CLM-1005', { qaSampling: QA_ALL });
    const open = await start(EAST, 'CLM-1006', { receivedAt: longAgo });
    const west = await start(WEST, 'CLM-1001');

    await decide(review, 'claim-review.review', reviewer(EAST), 'correct', { amountCents: 200_000, reason: 'Duplicate line' });
    await decide(exception, 'claim-review.exception', reviewer(EAST), 'skip', { reason: 'Withdrawn by the member' });
    await decide(qaFail, 'claim-review.qa', qaLead(EAST), 'fail', { reason: 'Wrong amount keyed', critical: true, correction: { amountCents: 7_500 } });
    await decide(qaPass, 'claim-review.qa', qaLead(EAST), 'pass', {});
    await Promise.all([stp, breach, review, exception, qaFail, qaPass, west].map((h) => h.result()));
    await openTask(open, 'claim-review.review');

    // The correction was entered by the bot, once, under its own reference.
    const corrections = entered.filter((e) => e.reference === `${qaFail.workflowId}:qa-correction`);
    expect(corrections).toEqual([expect.objectContaining({ amountCents: 7_500 })]);

    const facts = await Promise.all([stp, review, exception, qaFail].map(async (h) => (await h.describe()).memo?.[RUN_FACT_MEMO] as RunFact));
    expect(facts[0]).toMatchObject({ humanTasks: 0, businessExceptions: [], botSteps: 2, status: 'completed', outcome: 'adjudicated' });
    expect(facts[1]!.humanTasks).toBe(1);
    expect(facts[1]!.handleMs).toBeGreaterThanOrEqual(40);
    expect(facts[2]).toMatchObject({ businessExceptions: ['ClaimNotFound'], outcome: 'skipped' });
    expect(facts[3]!.qa).toMatchObject({ sampled: true, probability: 1, result: 'fail', corrected: true, reason: 'Wrong amount keyed' });
    expect(facts[3]!.humanTasks).toBe(0); // a QA review does not break straight-through processing

    const from = new Date(began - 60_000).toISOString();
    const to = new Date(Date.now() + HOUR).toISOString();
    const eastViewer = await viewer([EAST]);
    const kpis = async (c: string, headers: Record<string, string>) =>
      app.inject({ method: 'GET', url: `/clients/${c}/kpis?process=claim-review&from=${from}&to=${to}&granularity=day`, headers });
    const res = await eventually(async () => {
      const r = await kpis(EAST, eastViewer);
      return r.statusCode === 200 && (r.json() as KpiReport).volume.completed === 6 ? r : undefined;
    }, 'six completed east runs in the KPIs');
    const report = res.json() as KpiReport;
    // From the test's own record: 6 completed, STP = bot success, breach, two QA'd bot runs = 4.
    expect(report.volume).toEqual({ completed: 6, failed: 0, cancelled: 0 });
    expect(report.turnaround).toMatchObject({ measured: 6, withinTarget: 5, breaches: 1 });
    expect(report.straightThrough.items).toBe(4);
    expect(report.firstPassYield.items).toBe(5);
    expect(report.exceptions.business).toMatchObject({ items: 1, reasons: [{ code: 'ClaimNotFound', items: 1 }] });
    expect(report.quality).toMatchObject({ reviewed: 2, passed: 1, passRate: 0.5 });
    expect(report.operators.touchedItems).toBe(2);
    expect(report.backlog).toMatchObject({ open: 1, buckets: { breached: 1 } });
    expect(report.cost.perTransaction).toBeGreaterThanOrEqual(0.5);

    // Another client's figures are as unknown as a missing client; the other viewer sees only theirs.
    expect((await kpis(WEST, eastViewer)).statusCode).toBe(404);
    const westReport = (await kpis(WEST, await viewer([WEST]))).json() as KpiReport;
    expect(westReport.volume.completed).toBe(1);
    expect((await kpis(EAST, await viewer([EAST], ['operator']))).statusCode).toBe(403);
    const levelsRes = await app.inject({ method: 'GET', url: `/clients/${EAST}/service-levels`, headers: eastViewer });
    expect(levelsRes.json()).toMatchObject({ client: EAST, serviceLevels: [{ process: 'claim-review', version: 1 }] });

    const csv = await app.inject({ method: 'GET', url: `/clients/${EAST}/reports/${new Date().toISOString().slice(0, 7)}?format=csv`, headers: eastViewer });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(qaFail.workflowId);
    expect(csv.body).not.toContain(west.workflowId);
    const bad = await app.inject({ method: 'GET', url: `/clients/${EAST}/reports/2026-13`, headers: eastViewer });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'params.period' });

    // Rebuilt from Temporal alone, the store reports the same.
    const rebuilt = await oversight.feed.rebuild();
    expect(rebuilt.stored).toBeGreaterThanOrEqual(7);
    const again = (await kpis(EAST, eastViewer)).json() as KpiReport;
    expect({ ...again, backlog: undefined }).toEqual({ ...report, backlog: undefined });
  });

  it('replays a QA-sampled run from its history with the same decisions', async () => {
    const handle = await start(EAST, 'CLM-1005', { qaSampling: QA_ALL });
    await decide(handle, 'claim-review.qa', qaLead(EAST), 'pass', {});
    await handle.result();
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! }, dataConverter: workerDataConverter() }, history, handle.workflowId);
  });
});
