// Scheduled service reports and service-level breaches on the real stack: a client's report
// schedules are made through the API (scoped: another client's lead gets 404, a client viewer
// reads but cannot change them), fired through Temporal (backfills of past fire times: the dev
// server runs Schedules, the time-skipping server has none), and each fire runs the real
// workflows on a worker with the real reporting activity, emitEvent on Redis and the notifier
// POSTing signed webhooks to a receiver on 127.0.0.1. October's run facts are put straight into
// the reporting store (the same upsert the feed makes from Temporal's memos): the runs themselves
// are covered by run-facts.test.ts, and the month must lie in the past for its report to fire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { ClientOversight } from '../../api/client-oversight';
import { TaskIndex } from '../../inbox/task-index';
import { mintToken } from '../../api/auth/token-verifier';
import { catalogue } from '../../platform/process-catalogue';
import { createNotifier, type Notifier } from '../../notifications/notifier';
import { verifySignature } from '../../notifications/signing';
import { createReportActivities } from '../../reporting/report-activities';
import { defineServiceLevels } from '../../workflows/engine/service-level';
import type { RunFact } from '../../workflows/engine/run-facts';
import type { TandemEvent } from '../../workflows/engine/events';
import { reportScheduleId, serviceReportId } from '../../workflows/engine/service-report';
import { Receiver, type ReceivedRequest } from '../notifications/receiver';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';
import { TEST_TOKEN_SETTINGS, testAuth } from '../support/auth';

const suffix = Math.random().toString(36).slice(2, 8);
const EAST = `reports-east-${suffix}`;
const WEST = `reports-west-${suffix}`;
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

/** October for EAST: 20 completed claims, 8 of them late (60 % within 4 h, target 90 %); 2 QA reviews, 1 failed (50 %, target 98 %); all straight through. */
const october: RunFact[] = Array.from({ length: 20 }, (_, i) => {
  const received = Date.parse('2026-10-02T08:00:00Z') + i * 6 * HOUR;
  const late = i % 5 < 2;
  return {
    v: 1,
    runId: `claim-review-${EAST}-CLM-${i}`,
    client: EAST,
    process: 'claim-review',
    businessRef: `CLM-${i}`,
    receivedAt: new Date(received).toISOString(),
    startedAt: new Date(received + 1000).toISOString(),
    closedAt: new Date(received + (late ? 6 : 1) * HOUR).toISOString(),
    status: 'completed',
    outcome: 'adjudicated',
    humanTasks: 0,
    handleMs: 0,
    waitMs: 0,
    botMs: 60_000,
    botSteps: 2,
    botFailures: 0,
    businessExceptions: [],
    systemExceptions: [],
    slaBreached: false,
    ...(i < 2 ? { qa: { sampled: true, probability: 1, why: 'bot-rate' as const, result: i === 0 ? ('pass' as const) : ('fail' as const) } } : {}),
  };
});

const person = (id: string, roles: Array<'supervisor' | 'client-viewer' | 'process-admin'>, clients: string[]) => mintToken(TEST_TOKEN_SETTINGS, { id, name: id, roles, teams: [], clients }).then((t) => ({ authorization: `Bearer ${t}` }));

let connection: NativeConnection;
let temporal: Client;
let closeClient: () => Promise<void>;
let oversight: ClientOversight;
let notifier: Notifier;
let receiver: Receiver;
let app: FastifyInstance;
let redis: Redis;
let worker: Worker;
let workerDone: Promise<unknown>;
let secret: string;
const headers: Record<string, Record<string, string>> = {};
const taskQueue = uniqueId('service-reports');

beforeAll(async () => {
  const namespace = stackEnv().TANDEM_UNIT_NAMESPACE!;
  connection = await workerConnection();
  ({ client: temporal, close: closeClient } = await temporalClient(namespace));
  // One store for the API and the worker's reporting activity, as one process would hold it.
  oversight = await ClientOversight.open(temporal, processes, ':memory:', { reportTaskQueue: taskQueue });
  await oversight.store.upsert(october);
  notifier = await createNotifier({ redis: stackEnv().REDIS_URL!, prefix: uniqueId('reports'), masterKey: randomBytes(32).toString('base64url'), delivery: { attempts: 4, backoffMs: 100, backoffJitter: 0 } });
  receiver = await Receiver.start();
  const subscription = await notifier.subscriptions.create({ client: EAST, url: receiver.url(), eventTypes: ['report.ready', 'service-level.breached'] }, 'test');
  secret = notifier.secretOf(subscription.id);
  worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    dataConverter: workerDataConverter(),
    workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
    activities: { ...createReportActivities(oversight), ...notifier.activities },
  });
  workerDone = worker.run();
  redis = new Redis(stackEnv().REDIS_URL!);
  app = await buildApp({ temporal, index: new TaskIndex(redis, { prefix: uniqueId('reports') }), auth: testAuth(), oversight, processes });
  headers.lead = await person('sam.lead', ['supervisor'], [EAST]);
  headers.viewer = await person('vera.east', ['client-viewer'], [EAST]);
  headers.otherLead = await person('wes.lead', ['process-admin'], [WEST]);
});
afterAll(async () => {
  for (const kind of ['monthly', 'watch'] as const) await temporal?.schedule.getHandle(reportScheduleId(EAST, kind)).delete().catch(() => undefined);
  await app?.close();
  worker?.shutdown();
  await workerDone;
  await notifier?.close();
  await receiver?.close();
  await redis?.quit();
  await oversight?.close();
  await closeClient?.();
  await connection?.close();
});

const call = async (who: string, method: 'GET' | 'POST', url: string, payload?: object) => {
  const res = await app.inject({ method, url, headers: headers[who], ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() };
};
const events = (type: string): Array<{ event: TandemEvent; request: ReceivedRequest }> =>
  receiver
    .delivered()
    .filter((r) => r.headers['x-tandem-event'] === type)
    .map((request) => ({ event: JSON.parse(request.body) as TandemEvent, request }));
const signed = (r: ReceivedRequest) => verifySignature(secret, r.headers['x-tandem-timestamp'] as string, r.body, r.headers['x-tandem-signature'] as string);
/** Fires a schedule as if Temporal had been at `at` (a backfill of one fire time) and waits for that fire's launcher. */
async function fire(kind: 'monthly' | 'watch', at: string): Promise<unknown> {
  const scheduleId = reportScheduleId(EAST, kind);
  const handle = temporal.schedule.getHandle(scheduleId);
  const before = (await handle.describe()).info.numActionsTaken;
  await handle.backfill([{ start: new Date(Date.parse(at) - 60_000), end: new Date(Date.parse(at) + 60_000), overlap: 'ALLOW_ALL' }]);
  const fired = await eventually(async () => {
    const d = await handle.describe();
    return d.info.numActionsTaken > before && d.info.recentActions.at(-1);
  }, `the ${kind} fire at ${at}`);
  return temporal.workflow.getHandle(fired.action.workflow.workflowId, fired.action.workflow.firstExecutionRunId).result();
}
const settle = () => new Promise((r) => setTimeout(r, 1_000));

describe('scheduled service reports', () => {
  it('is created by the client’s lead only, read by its viewer, and unknown to another client', async () => {
    expect((await call('viewer', 'POST', `/clients/${EAST}/report-schedules`, { kind: 'monthly' })).status).toBe(403);
    expect((await call('otherLead', 'POST', `/clients/${EAST}/report-schedules`, { kind: 'monthly' })).status).toBe(404);
    const bad = await call('lead', 'POST', `/clients/${EAST}/report-schedules`, { kind: 'monthly', at: '25:00' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.at');
    const created = await call('lead', 'POST', `/clients/${EAST}/report-schedules`, { kind: 'monthly', at: '06:00' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ scheduleId: reportScheduleId(EAST, 'monthly'), kind: 'monthly', at: '06:00', timeZone: 'UTC', paused: false });
    expect(created.body.nextFires[0]).toMatch(/^\d{4}-\d{2}-01T06:00:00\.000Z$/);
    expect((await call('lead', 'POST', `/clients/${EAST}/report-schedules`, { kind: 'monthly' })).status).toBe(409);
    expect((await call('lead', 'POST', `/clients/${EAST}/report-schedules`, { kind: 'watch', at: '07:00', paused: true, note: 'from next week' })).status).toBe(201);
    const listed = await call('viewer', 'GET', `/clients/${EAST}/report-schedules`);
    expect(listed.body.schedules.map((s: { kind: string; paused: boolean }) => [s.kind, s.paused])).toEqual([
      ['monthly', false],
      ['watch', true],
    ]);
    expect((await call('otherLead', 'GET', `/clients/${EAST}/report-schedules/monthly`)).status).toBe(404);
    expect((await call('viewer', 'POST', `/clients/${EAST}/report-schedules/monthly/pause`, { note: 'no' })).status).toBe(403);
    expect((await call('lead', 'POST', `/clients/${EAST}/report-schedules/watch/unpause`, {})).body.paused).toBe(false);
  });

  it('a running month already below target raises its breach once, while it runs', async () => {
    // 20 October items measured by 20 October: turnaround 60 % (of 20) < 90 %; QA over 2 items is too few to call yet.
    const outcome = await fire('watch', '2026-10-20T07:00:00Z');
    const id = `service-level-breach.${EAST}.claim-review.2026-10.turnaround`;
    expect(outcome).toMatchObject({ kind: 'checked', periods: ['2026-10', '2026-W43'], breaches: [id] });
    const [breach] = await eventually(async () => events('service-level.breached').length > 0 && events('service-level.breached'), 'the breach webhook');
    expect(signed(breach!.request)).toBe(true);
    expect(breach!.event).toMatchObject({ id, type: 'service-level.breached', client: EAST, data: { target: 'turnaround', measured: 0.6, required: 0.9, over: 20, final: false, period: '2026-10' } });
    expect(await fire('watch', '2026-10-21T07:00:00Z')).toMatchObject({ kind: 'checked', breaches: [] });
  });

  it('the month’s report fires once, delivered signed with its figures and links; a second fire sends nothing', async () => {
    const outcome = await fire('monthly', '2026-11-01T06:00:00Z');
    expect(outcome).toMatchObject({ kind: 'started', period: '2026-10', reportId: serviceReportId(EAST, '2026-10') });
    const [ready] = await eventually(async () => events('report.ready').length > 0 && events('report.ready'), 'the report.ready webhook');
    expect(signed(ready!.request)).toBe(true);
    const data = ready!.event.data as { period: string; summary: { processes: Array<Record<string, any>>; breaches: Array<{ id: string }> }; links: Record<string, string> };
    expect(data.period).toBe('2026-10');
    expect(data.links.csv).toMatch(new RegExp(`^http://[^/]+/clients/${EAST}/reports/2026-10\\?format=csv$`));
    expect(Object.keys(data.links)).toEqual(['json', 'csv', 'html']);
    const [claims] = data.summary.processes;
    expect(claims).toMatchObject({ process: 'claim-review', completed: 20, turnaround: { measured: 0.6, target: 0.9, over: 20, met: false }, quality: { measured: 0.5, target: 0.98, over: 2, met: false }, straightThrough: { measured: 1, met: true } });
    expect(data.summary.breaches.map((b) => b.id).sort()).toEqual([`service-level-breach.${EAST}.claim-review.2026-10.quality`, `service-level-breach.${EAST}.claim-review.2026-10.turnaround`]);
    // The quality miss is new (final); the turnaround miss was raised while the month ran and is not raised again.
    await eventually(async () => events('service-level.breached').length === 2, 'the quality breach webhook');
    const quality = events('service-level.breached').find((e) => (e.event.data as { target: string }).target === 'quality')!;
    expect(signed(quality.request)).toBe(true);
    expect(quality.event.data).toMatchObject({ final: true, measured: 0.5, over: 2 });

    // Fired again for the same period (a repeated backfill): refused by the report's id, nothing sent.
    expect(await fire('monthly', '2026-11-01T06:00:00Z')).toMatchObject({ kind: 'already-reported', period: '2026-10' });
    await settle();
    expect(events('report.ready')).toHaveLength(1);
    expect(events('service-level.breached')).toHaveLength(2);
    expect(receiver.received()).toHaveLength(3);

    // Visible through the API: the breaches of the period, in its report and in the list.
    const listed = await eventually(async () => {
      const r = await call('viewer', 'GET', `/clients/${EAST}/service-level-breaches?period=2026-10`);
      return r.body.breaches?.length === 2 && r.body;
    }, 'the breaches in visibility');
    expect(listed.breaches.map((b: { target: string; final: boolean }) => [b.target, b.final]).sort()).toEqual([
      ['quality', true],
      ['turnaround', false],
    ]);
    const report = await call('viewer', 'GET', `/clients/${EAST}/reports/2026-10`);
    expect(report.body.volume.completed).toBe(20);
    expect(report.body.serviceLevelBreaches).toHaveLength(2);
    expect((await call('otherLead', 'GET', `/clients/${EAST}/service-level-breaches`)).status).toBe(404);
    const reports = await eventually(async () => {
      const r = await call('viewer', 'GET', `/clients/${EAST}/service-reports`);
      return r.body.reports?.length === 1 && r.body.reports;
    }, 'the delivered report in visibility');
    expect(reports[0]).toMatchObject({ reportId: serviceReportId(EAST, '2026-10'), period: '2026-10', status: 'completed' });
  });
});
