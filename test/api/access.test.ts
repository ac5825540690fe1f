// Who may call what: every route of the API, for every role, unauthenticated and with a bad token
// (a table, checked against the OpenAPI document so a new route cannot slip through), and client
// isolation: an operator of one client cannot list, read, claim, complete or bulk-approve
// anything of another client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { buildApp } from '../../api/app';
import { openApiDocument } from '../../api/openapi';
import { catalogue } from '../../platform/process-catalogue';
import { ANYONE, ARTIFACT_READERS, AUDIT_READERS, BATCH_FEEDERS, BATCH_READERS, PAYLOAD_READERS, QA_POLICY_MANAGERS, QA_POLICY_READERS, REPORT_READERS, REPORT_SCHEDULERS, RUN_CANCELLERS, RUN_STARTERS, SCHEDULE_MANAGERS, TASK_SUPERVISORS, TASK_WORKERS, WEBHOOK_MANAGERS } from '../../api/auth/route-roles';
import type { Role } from '../../api/auth/principal';
import { createInboxActivities } from '../../activities/inbox';
import { Roster } from '../../inbox/roster';
import { TaskIndex } from '../../inbox/task-index';
import { bearer, SCHEDULER_KEY, testAuth } from '../support/auth';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

/** One person per role, from the demo roster. */
const BY_ROLE: Record<Role, string> = {
  operator: 'ana.lima',
  supervisor: 'sam.rivera',
  scheduler: 'nina.berg',
  'process-admin': 'omar.haddad',
  'client-viewer': 'vera.acme',
};

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path, e.g. /tasks/{taskId}/claim */
  path: string;
  url: string;
  roles: readonly Role[] | 'public';
  body?: object;
  /** Streams forever when allowed: only refusals are checked. */
  stream?: boolean;
}

const TASK = 'claim-review-nothing-here.t1';
const RUN = 'claim-review-nothing-here';
const SCHEDULE = 'no-such-schedule';
const BATCH = 'payroll-run.batch.acme-health.nothing-here';
const WEBHOOK = 'whs_nothingHere00000';
const DELIVERY = `${WEBHOOK}.${'0'.repeat(32)}`;
const task = (suffix: string, roles: readonly Role[], body: object = {}): Route => ({
  method: 'POST',
  path: `/tasks/{taskId}/${suffix}`,
  url: `/tasks/${TASK}/${suffix}`,
  roles,
  body,
});

const ROUTES: Route[] = [
  { method: 'GET', path: '/health', url: '/health', roles: 'public' },
  { method: 'GET', path: '/health/live', url: '/health/live', roles: 'public' },
  { method: 'GET', path: '/health/ready', url: '/health/ready', roles: 'public' },
  // Public for scrapers; TANDEM_METRICS_TOKEN adds a bearer check of its own (test/api/metrics.test.ts).
  { method: 'GET', path: '/metrics', url: '/metrics', roles: 'public' },
  { method: 'GET', path: '/processes', url: '/processes', roles: ANYONE },
  // One start route per process folder, from the catalogue: a new process needs no row here.
  ...catalogue.processes.map((p): Route => ({ method: 'POST', path: `/processes/${p.name}/runs`, url: `/processes/${p.name}/runs`, roles: RUN_STARTERS, body: {} })),
  { method: 'GET', path: '/runs', url: '/runs?status=running', roles: ANYONE },
  { method: 'GET', path: '/runs/{runId}', url: `/runs/${RUN}`, roles: ANYONE },
  { method: 'GET', path: '/runs/{runId}/audit', url: `/runs/${RUN}/audit`, roles: AUDIT_READERS },
  { method: 'POST', path: '/runs/{runId}/reprocess', url: `/runs/${RUN}/reprocess`, roles: TASK_SUPERVISORS, body: { reason: 'Asked again' } },
  { method: 'POST', path: '/runs/{runId}/cancel', url: `/runs/${RUN}/cancel`, roles: RUN_CANCELLERS, body: { reason: 'Client withdrew it' } },
  { method: 'GET', path: '/clients/{client}/audit', url: '/clients/acme-health/audit', roles: AUDIT_READERS },
  { method: 'GET', path: '/clients/{client}/service-levels', url: '/clients/acme-health/service-levels', roles: REPORT_READERS },
  { method: 'GET', path: '/clients/{client}/kpis', url: '/clients/acme-health/kpis', roles: REPORT_READERS },
  { method: 'GET', path: '/clients/{client}/reports/{period}', url: '/clients/acme-health/reports/2026-11', roles: REPORT_READERS },
  { method: 'GET', path: '/clients/{client}/reports/{period}/runs', url: '/clients/acme-health/reports/2026-11/runs?figure=breached', roles: REPORT_READERS },
  { method: 'GET', path: '/clients/{client}/report-schedules', url: '/clients/acme-health/report-schedules', roles: REPORT_READERS },
  { method: 'POST', path: '/clients/{client}/report-schedules', url: '/clients/acme-health/report-schedules', roles: REPORT_SCHEDULERS, body: {} },
  { method: 'GET', path: '/clients/{client}/report-schedules/{kind}', url: '/clients/acme-health/report-schedules/monthly', roles: REPORT_READERS },
  { method: 'DELETE', path: '/clients/{client}/report-schedules/{kind}', url: '/clients/acme-health/report-schedules/monthly', roles: REPORT_SCHEDULERS },
  { method: 'POST', path: '/clients/{client}/report-schedules/{kind}/pause', url: '/clients/acme-health/report-schedules/monthly/pause', roles: REPORT_SCHEDULERS, body: { note: 'x' } },
  { method: 'POST', path: '/clients/{client}/report-schedules/{kind}/unpause', url: '/clients/acme-health/report-schedules/monthly/unpause', roles: REPORT_SCHEDULERS, body: {} },
  { method: 'GET', path: '/clients/{client}/service-reports', url: '/clients/acme-health/service-reports', roles: REPORT_READERS },
  { method: 'GET', path: '/clients/{client}/service-level-breaches', url: '/clients/acme-health/service-level-breaches', roles: REPORT_READERS },
  { method: 'GET', path: '/clients', url: '/clients', roles: ANYONE },
  { method: 'GET', path: '/clients/{client}/qa-policies/{process}', url: '/clients/acme-health/qa-policies/claim-review', roles: QA_POLICY_READERS },
  // An empty body: the door is checked, nothing is changed.
  { method: 'PUT', path: '/clients/{client}/qa-policies/{process}', url: '/clients/acme-health/qa-policies/claim-review', roles: QA_POLICY_MANAGERS, body: {} },
  { method: 'GET', path: '/me', url: '/me', roles: ANYONE },
  { method: 'GET', path: '/teams/{team}/tasks', url: '/teams/claims-review/tasks', roles: TASK_WORKERS },
  { method: 'POST', path: '/teams/{team}/take-next', url: '/teams/claims-review/take-next', roles: TASK_WORKERS, body: {} },
  { method: 'GET', path: '/teams/{team}/events', url: '/teams/claims-review/events', roles: TASK_WORKERS, stream: true },
  { method: 'GET', path: '/tasks/{taskId}', url: `/tasks/${TASK}`, roles: TASK_WORKERS },
  { method: 'GET', path: '/tasks/{taskId}/audit', url: `/tasks/${TASK}/audit`, roles: AUDIT_READERS },
  task('complete', TASK_WORKERS, { action: 'approve', data: {} }),
  task('claim', TASK_WORKERS),
  task('renew', TASK_WORKERS, { leaseId: 'x' }),
  task('release', TASK_WORKERS),
  task('reassign', TASK_SUPERVISORS, { assignee: 'ben.okafor' }),
  task('escalate', TASK_WORKERS, { reason: 'Looks wrong' }),
  task('comments', TASK_WORKERS, { text: 'hello' }),
  task('labels', TASK_WORKERS, { add: ['x'] }),
  task('bots', TASK_WORKERS, { bot: 'refetchClaim' }),
  { method: 'GET', path: '/tasks/{taskId}/bots/{attendedRunId}', url: `/tasks/${TASK}/bots/${TASK}.b1`, roles: TASK_WORKERS },
  { method: 'POST', path: '/tasks/bulk-complete', url: '/tasks/bulk-complete', roles: TASK_WORKERS, body: { taskIds: [TASK], action: 'approve', data: {} } },
  { method: 'GET', path: '/artifacts/{runId}', url: `/artifacts/${RUN}`, roles: ARTIFACT_READERS },
  { method: 'GET', path: '/artifacts/{runId}/{file}', url: `/artifacts/${RUN}/shot.png`, roles: ARTIFACT_READERS },
  { method: 'POST', path: '/codec/decode', url: '/codec/decode', roles: PAYLOAD_READERS, body: { payloads: [] } },
  { method: 'POST', path: '/codec/encode', url: '/codec/encode', roles: PAYLOAD_READERS, body: { payloads: [] } },
  { method: 'POST', path: '/webhooks/subscriptions', url: '/webhooks/subscriptions', roles: WEBHOOK_MANAGERS, body: {} },
  { method: 'GET', path: '/webhooks/subscriptions', url: '/webhooks/subscriptions', roles: WEBHOOK_MANAGERS },
  { method: 'GET', path: '/webhooks/subscriptions/{id}', url: `/webhooks/subscriptions/${WEBHOOK}`, roles: WEBHOOK_MANAGERS },
  { method: 'DELETE', path: '/webhooks/subscriptions/{id}', url: `/webhooks/subscriptions/${WEBHOOK}`, roles: WEBHOOK_MANAGERS },
  { method: 'GET', path: '/webhooks/deliveries', url: '/webhooks/deliveries?state=failed', roles: WEBHOOK_MANAGERS },
  { method: 'GET', path: '/webhooks/deliveries/{id}', url: `/webhooks/deliveries/${DELIVERY}`, roles: WEBHOOK_MANAGERS },
  { method: 'POST', path: '/webhooks/deliveries/{id}/redrive', url: `/webhooks/deliveries/${DELIVERY}/redrive`, roles: WEBHOOK_MANAGERS },
  { method: 'POST', path: '/schedules', url: '/schedules', roles: SCHEDULE_MANAGERS, body: {} },
  { method: 'GET', path: '/schedules', url: '/schedules', roles: SCHEDULE_MANAGERS },
  { method: 'GET', path: '/schedules/{scheduleId}', url: `/schedules/${SCHEDULE}`, roles: SCHEDULE_MANAGERS },
  { method: 'PATCH', path: '/schedules/{scheduleId}', url: `/schedules/${SCHEDULE}`, roles: SCHEDULE_MANAGERS, body: { note: 'x' } },
  { method: 'DELETE', path: '/schedules/{scheduleId}', url: `/schedules/${SCHEDULE}`, roles: SCHEDULE_MANAGERS },
  { method: 'POST', path: '/schedules/{scheduleId}/pause', url: `/schedules/${SCHEDULE}/pause`, roles: SCHEDULE_MANAGERS, body: { note: 'x' } },
  { method: 'POST', path: '/schedules/{scheduleId}/unpause', url: `/schedules/${SCHEDULE}/unpause`, roles: SCHEDULE_MANAGERS, body: {} },
  { method: 'POST', path: '/schedules/{scheduleId}/trigger', url: `/schedules/${SCHEDULE}/trigger`, roles: SCHEDULE_MANAGERS, body: {} },
  { method: 'POST', path: '/schedules/{scheduleId}/backfill', url: `/schedules/${SCHEDULE}/backfill`, roles: SCHEDULE_MANAGERS, body: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T01:00:00Z' } },
  { method: 'GET', path: '/batches/{batchId}', url: `/batches/${BATCH}`, roles: BATCH_READERS },
  { method: 'GET', path: '/batches/{batchId}/items', url: `/batches/${BATCH}/items`, roles: BATCH_READERS },
  { method: 'POST', path: '/batches/{batchId}/items', url: `/batches/${BATCH}/items`, roles: BATCH_FEEDERS, body: { items: [{ ref: 'E-1', data: {} }] } },
  { method: 'POST', path: '/batches/{batchId}/items/{ref}/postpone', url: `/batches/${BATCH}/items/E-1/postpone`, roles: BATCH_FEEDERS, body: { until: '2099-01-01T00:00:00Z' } },
];

let app: FastifyInstance;
let redis: Redis;
let temporal: { client: Client; close: () => Promise<void> };
const prefix = uniqueId('access');

beforeAll(async () => {
  temporal = await temporalClient();
  redis = new Redis(stackEnv().REDIS_URL!);
  app = await buildApp({ temporal: temporal.client, index: new TaskIndex(redis, { prefix }), auth: testAuth() });
});
afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await temporal?.close();
});

const send = async (route: Route, headers: Record<string, string>) =>
  app.inject({ method: route.method, url: route.url, headers, ...(route.body ? { payload: route.body } : {}) });

describe('access to every route', () => {
  it('covers every operation of the OpenAPI document', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it.each(ROUTES.filter((r) => r.roles !== 'public').map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s refuses callers without valid credentials with 401 problem+json',
    async (_name, route) => {
      const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer not.a.token' }, { 'x-api-key': 'tdm_nope' }];
      for (const headers of attempts) {
        const res = await send(route, headers);
        expect(res.statusCode, JSON.stringify(headers)).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    },
  );

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s lets exactly its roles through', async (_name, route) => {
    for (const [role, person] of Object.entries(BY_ROLE) as Array<[Role, string]>) {
      const allowed = route.roles === 'public' || route.roles.includes(role);
      if (allowed && route.stream) continue;
      const res = await send(route, await bearer(person));
      if (allowed) expect([401, 403], `${role} on ${route.url}: ${res.body}`).not.toContain(res.statusCode);
      else expect(res.statusCode, `${role} on ${route.url}`).toBe(403);
    }
  });

  it('lets a scheduler’s API key start runs for its clients only', async () => {
    const key = { 'x-api-key': SCHEDULER_KEY.key };
    const route = ROUTES.find((r) => r.path === '/processes/manual-task/runs')!;
    expect(route, 'the manual-task process is in the catalogue').toBeDefined();
    expect((await send(route, key)).statusCode).toBe(400); // through the door; the empty body is refused
    const res = await app.inject({ method: 'POST', url: route.url, headers: key, payload: { client: 'globex-insurance', reference: 'X-1', title: 'Check this', team: 'claims-review' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().field).toBe('body.client');
  });
});

describe('client isolation', () => {
  let connection: NativeConnection;

  beforeAll(async () => {
    connection = await workerConnection();
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('keeps an operator of one client away from everything of another client', async () => {
    const worker = await Worker.create({
      connection,
      namespace: stackEnv().TEMPORAL_NAMESPACE!,
      taskQueue: 'tandem-orchestration',
      dataConverter: workerDataConverter(),
      workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
      activities: createInboxActivities({ index: new TaskIndex(redis, { prefix }), roster: Roster.load() }),
    });
    await worker.runUntil(async () => {
      const sam = await bearer('sam.rivera');
      const ben = await bearer('ben.okafor'); // acme-health only
      const started = await app.inject({
        method: 'POST',
        url: '/processes/manual-task/runs',
        headers: sam,
        payload: { client: 'globex-insurance', reference: uniqueId('GLX'), title: 'Globex sign-off', team: 'claims-review' },
      });
      const { runId } = started.json();
      const taskId = await eventually(async () => (await app.inject({ method: 'GET', url: `/runs/${runId}`, headers: sam })).json().openTasks?.[0]?.taskId, 'the task');
      await eventually(async () => (await app.inject({ method: 'GET', url: '/teams/claims-review/tasks', headers: sam })).json().tasks.some((t: { taskId: string }) => t.taskId === taskId), 'the task in the index');

      const list = (await app.inject({ method: 'GET', url: '/teams/claims-review/tasks?limit=200', headers: ben })).json();
      expect(list.tasks.some((t: { client: string }) => t.client === 'globex-insurance')).toBe(false);
      expect((await app.inject({ method: 'GET', url: `/runs/${runId}`, headers: ben })).statusCode).toBe(404);
      await eventually(async () => (await app.inject({ method: 'GET', url: '/runs?client=globex-insurance', headers: sam })).json().runs.some((r: { runId: string }) => r.runId === runId), 'the run in the runs list');
      for (const url of ['/runs?client=globex-insurance', '/runs?limit=200']) {
        expect((await app.inject({ method: 'GET', url, headers: ben })).json().runs.some((r: { client: string }) => r.client === 'globex-insurance'), url).toBe(false);
      }
      expect((await app.inject({ method: 'GET', url: `/runs/${runId}/audit`, headers: ben })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: `/tasks/${taskId}`, headers: ben })).statusCode).toBe(404);
      for (const action of ['claim', 'complete']) {
        const res = await app.inject({ method: 'POST', url: `/tasks/${taskId}/${action}`, headers: ben, payload: action === 'complete' ? { action: 'approve', data: {} } : {} });
        expect(res.statusCode, action).toBe(404);
      }
      const take = (await app.inject({ method: 'POST', url: '/teams/claims-review/take-next', headers: ben, payload: {} })).json();
      expect(take.task?.client ?? 'none').not.toBe('globex-insurance');
      if (take.task) await app.inject({ method: 'POST', url: `/tasks/${take.task.taskId}/release`, headers: ben, payload: {} });
      const bulk = (await app.inject({ method: 'POST', url: '/tasks/bulk-complete', headers: ben, payload: { taskIds: [taskId], action: 'approve', data: {} } })).json();
      expect(bulk.results[0]).toMatchObject({ ok: false, problem: { status: 404 } });
      // Still open and untouched for the people of that client.
      expect((await app.inject({ method: 'GET', url: `/tasks/${taskId}`, headers: sam })).json()).toMatchObject({ status: 'open', version: 1 });

      // The client's audit view: the run's history and who read the client's data, from where.
      expect((await app.inject({ method: 'GET', url: '/clients/globex-insurance/audit', headers: ben })).statusCode).toBe(404);
      const audit = await eventually(async () => {
        const view = (await app.inject({ method: 'GET', url: '/clients/globex-insurance/audit', headers: sam })).json();
        return view.entries?.some((e: { source: string; route?: string }) => e.source === 'access' && e.route === '/tasks/:taskId') && view;
      }, 'the access records');
      expect(audit.entries).toContainEqual(expect.objectContaining({ source: 'history', runId, action: 'started' }));
      expect(audit.entries).toContainEqual(expect.objectContaining({ source: 'access', principal: 'sam.rivera', method: 'GET', status: 200, ip: expect.any(String) }));
      // Ben's refused attempts touched no globex data: nothing of his is in globex's records.
      expect(audit.entries.some((e: { principal?: string }) => e.principal === 'ben.okafor')).toBe(false);
      const lines = await app.inject({ method: 'GET', url: '/clients/globex-insurance/audit?format=jsonl', headers: sam });
      expect(lines.headers['content-type']).toMatch(/application\/x-ndjson/);
      expect(lines.body.trim().split('\n').map((l) => JSON.parse(l).source)).toEqual(expect.arrayContaining(['history', 'access']));
      await temporal.client.workflow.getHandle(runId).cancel();
    });
  });
});
