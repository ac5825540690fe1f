// Metrics and health on the real stack: /metrics follows runs and tasks as they move (manual-task
// runs started and decided through the API, an in-process orchestration worker), readiness tells
// a dead Redis or Temporal apart, and request logs carry run and task ids but never credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { buildApp } from '../../api/app';
import { createInboxActivities } from '../../activities/inbox';
import { Roster } from '../../inbox/roster';
import { TaskIndex } from '../../inbox/task-index';
import { createLogger } from '../../platform/logger';
import { ORCHESTRATION_TASK_QUEUE } from '../../workflows/engine/process-definition';
import { bearer, SCHEDULER_KEY, testAuth } from '../support/auth';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';
import { closedPort, has, parseMetrics, sample, type Samples } from './metrics.fixtures';

const TEAM = 'claims-review';
const RUNS = { process: 'manual-task', client: 'acme-health' };
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

let temporal: { client: Client; close: () => Promise<void> };
let redis: Redis;
let app: FastifyInstance;
let logged = '';
const prefix = uniqueId('metrics');

beforeAll(async () => {
  // The unit-test namespace: there, nobody else polls the API's orchestration queue, so no other
  // test's leftover run moves (or feeds this index) while the counts are compared.
  temporal = await temporalClient(stackEnv().TANDEM_UNIT_NAMESPACE);
  redis = new Redis(stackEnv().REDIS_URL!);
  const logger = createLogger('api', 'info', { write: (line: string) => void (logged += line) });
  app = await buildApp({ temporal: temporal.client, index: new TaskIndex(redis, { prefix }), auth: testAuth(), logger, metrics: { cacheMs: 0 } });
});
afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await temporal?.close();
});

async function scrape(target = app, headers: Record<string, string> = {}): Promise<Samples> {
  const res = await target.inject({ method: 'GET', url: '/metrics', headers });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(res.body);
}

describe('/metrics', () => {
  let connection: NativeConnection;
  beforeAll(async () => {
    connection = await workerConnection();
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('changes as runs and tasks move', async () => {
    const worker = await Worker.create({
      connection,
      namespace: stackEnv().TANDEM_UNIT_NAMESPACE!,
      taskQueue: ORCHESTRATION_TASK_QUEUE,
      dataConverter: workerDataConverter(),
      workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
      activities: { ...createInboxActivities({ index: new TaskIndex(redis, { prefix }), roster: Roster.load() }), emitEvent: async () => undefined },
    });
    await worker.runUntil(async () => {
      const sam = await bearer('sam.rivera');
      const ana = await bearer('ana.lima');
      const before = await scrape();
      expect(sample(before, 'tandem_metrics_source_up', { source: 'temporal' })).toBe(1);
      expect(sample(before, 'tandem_metrics_source_up', { source: 'redis' })).toBe(1);
      // Default process metrics come with every scrape.
      expect(has(before, 'process_cpu_user_seconds_total')).toBe(true);
      expect(has(before, 'nodejs_heap_size_used_bytes')).toBe(true);
      const delta = (now: Samples, name: string, labels: Record<string, string>) => sample(now, name, labels) - sample(before, name, labels);

      const start = async (extra: Record<string, unknown>) => {
        const res = await app.inject({
          method: 'POST',
          url: '/processes/manual-task/runs',
          headers: sam,
          payload: { client: RUNS.client, reference: uniqueId('MT'), title: 'Sign this off', team: TEAM, ...extra },
        });
        expect(res.statusCode, res.body).toBe(201);
        return res.json().runId as string;
      };
      const late = await start({ dueAt: new Date(Date.now() - 3_600_000).toISOString() });
      const onTime = await start({ dueAt: new Date(Date.now() + 3_600_000).toISOString() });

      // Both tasks reach the team's queue, one of them already overdue; visibility counts both runs.
      await eventually(async () => {
        const now = await scrape();
        return (
          delta(now, 'tandem_tasks_open', { team: TEAM }) === 2 &&
          delta(now, 'tandem_tasks_overdue', { team: TEAM }) === 1 &&
          delta(now, 'tandem_runs', { ...RUNS, status: 'running' }) === 2 &&
          delta(now, 'tandem_runs_started', RUNS) === 2
        );
      }, 'two open tasks (one overdue) and two running runs in /metrics');

      // Ana claims the on-time task, then approves it under her lease.
      const taskId = await eventually(async () => (await app.inject({ method: 'GET', url: `/runs/${onTime}`, headers: sam })).json().openTasks?.[0]?.taskId as string | undefined, 'the task id');
      const claim = await app.inject({ method: 'POST', url: `/tasks/${taskId}/claim`, headers: ana, payload: {} });
      expect(claim.statusCode, claim.body).toBe(200);
      const claimed = await scrape();
      expect(delta(claimed, 'tandem_tasks_open', { team: TEAM })).toBe(1);
      expect(delta(claimed, 'tandem_tasks_claimed', { team: TEAM })).toBe(1);
      const decide = () =>
        app.inject({
          method: 'POST',
          url: `/tasks/${taskId}/complete`,
          headers: { ...ana, 'idempotency-key': `approve-${taskId}` },
          payload: { action: 'approve', data: { note: 'fine' }, leaseId: claim.json().claim.leaseId },
        });
      const decided = await decide();
      expect(decided.statusCode, decided.body).toBe(200);

      const timings = { process: RUNS.process, team: TEAM };
      const after = await eventually(async () => {
        const now = await scrape();
        return delta(now, 'tandem_runs', { ...RUNS, status: 'completed' }) === 1 && delta(now, 'tandem_runs', { ...RUNS, status: 'running' }) === 1 && now;
      }, 'the completed run in /metrics');
      expect(delta(after, 'tandem_tasks_open', { team: TEAM })).toBe(1);
      expect(delta(after, 'tandem_tasks_claimed', { team: TEAM })).toBe(0);
      expect(delta(after, 'tandem_tasks_overdue', { team: TEAM })).toBe(1);
      expect(delta(after, 'tandem_task_wait_seconds_count', timings)).toBe(1);
      expect(delta(after, 'tandem_task_handle_seconds_count', timings)).toBe(1);
      expect(delta(after, 'tandem_task_decisions_total', { ...timings, action: 'approve' })).toBe(1);
      // Claimed within seconds of opening and decided within seconds of the claim: the small buckets.
      expect(delta(after, 'tandem_task_wait_seconds_bucket', { ...timings, le: '60' })).toBe(1);
      expect(delta(after, 'tandem_task_handle_seconds_bucket', { ...timings, le: '15' })).toBe(1);
      expect(delta(after, 'tandem_runs_started', RUNS)).toBe(2);

      // A repeated decision (replayed, or refused once the run has finished) is not counted again.
      expect([200, 409]).toContain((await decide()).statusCode);
      expect(delta(await scrape(), 'tandem_task_decisions_total', { ...timings, action: 'approve' })).toBe(1);

      await temporal.client.workflow.getHandle(late).cancel();
      await eventually(async () => delta(await scrape(), 'tandem_tasks_open', { team: TEAM }) === 0, 'the cancelled run’s task to leave the queue');
    });
  });

  it('counts runs of clients the roster does not know under their own name', async () => {
    const client = uniqueId('zeta').toLowerCase();
    // Started straight on Temporal, on a queue nobody polls: a run that stays running.
    const handle = await temporal.client.workflow.start('manualTask', {
      taskQueue: uniqueId('nobody'),
      workflowId: uniqueId('manual-task'),
      args: [{ client, reference: 'Z-1', title: 'Unknown client', team: TEAM }],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: defineSearchAttributeKey('TandemClient', SearchAttributeType.KEYWORD), value: client },
        { key: defineSearchAttributeKey('TandemProcess', SearchAttributeType.KEYWORD), value: 'manual-task' },
      ]),
    });
    try {
      const samples = await eventually(async () => {
        const now = await scrape();
        return sample(now, 'tandem_runs', { process: 'manual-task', client, status: 'running' }) === 1 && now;
      }, 'the unknown client’s run in /metrics');
      expect(sample(samples, 'tandem_runs_started', { process: 'manual-task', client })).toBe(1);
      expect(sample(samples, 'tandem_runs_started', { client: 'other' })).toBe(0);
    } finally {
      await handle.terminate('test over');
    }
  });

  it('wants the metrics token when one is configured', async () => {
    const guarded = await buildApp({ temporal: temporal.client, index: new TaskIndex(redis, { prefix }), auth: testAuth(), metrics: { token: METRICS_TOKEN, cacheMs: 0 } });
    try {
      for (const headers of [{}, { authorization: 'Bearer wrong-token' }, await bearer('sam.rivera')]) {
        const res = await guarded.inject({ method: 'GET', url: '/metrics', headers });
        expect(res.statusCode).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
      expect(has(await scrape(guarded, { authorization: `Bearer ${METRICS_TOKEN}` }), 'tandem_tasks_open')).toBe(true);
    } finally {
      await guarded.close();
    }
  });
});

describe('health', () => {
  it('is live and ready when Temporal and Redis answer', async () => {
    for (const url of ['/health', '/health/live']) expect((await app.inject({ url })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', checks: { temporal: 'ok', redis: 'ok' }, dependencies: { temporal: { state: 'closed' }, redis: { state: 'closed' } } });
  });

  it('is not ready with Redis down, and /metrics still answers and says so', async () => {
    const deadRedis = new Redis({ host: '127.0.0.1', port: await closedPort(), enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
    deadRedis.on('error', () => undefined);
    const offline = await buildApp({ temporal: temporal.client, index: new TaskIndex(deadRedis, { prefix }), auth: testAuth(), metrics: { cacheMs: 0 } });
    try {
      expect((await offline.inject({ url: '/health/live' })).statusCode).toBe(200);
      const ready = await offline.inject({ url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(ready.json()).toMatchObject({ status: 503, type: 'urn:tandem:problem:unavailable', detail: 'Not ready: redis is down', checks: { temporal: 'ok', redis: 'down' } });
      expect(ready.json().dependencies.redis).toMatchObject({ state: 'open', since: expect.any(String) });
      expect(Number(ready.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const samples = await scrape(offline);
      expect(sample(samples, 'tandem_metrics_source_up', { source: 'redis' })).toBe(0);
      expect(sample(samples, 'tandem_dependency_up', { dependency: 'redis' })).toBe(0);
      expect(sample(samples, 'tandem_dependency_up', { dependency: 'temporal' })).toBe(1);
      expect(sample(samples, 'tandem_dependency_circuit_state', { dependency: 'redis', state: 'open' })).toBe(1);
      expect(sample(samples, 'tandem_dependency_state_since_timestamp_seconds', { dependency: 'redis' })).toBeGreaterThan(Date.now() / 1000 - 600);
      expect(sample(samples, 'tandem_metrics_source_up', { source: 'temporal' })).toBe(1);
      expect(has(samples, 'tandem_runs_started')).toBe(true);
    } finally {
      await offline.close();
      deadRedis.disconnect();
    }
  });

  it('is not ready with Temporal unreachable', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
    const unreachable = new Client({ connection });
    const offline = await buildApp({ temporal: unreachable, index: new TaskIndex(redis, { prefix }), auth: testAuth(), metrics: { cacheMs: 0 } });
    try {
      const started = Date.now();
      const ready = await offline.inject({ url: '/health/ready' });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ detail: 'Not ready: temporal is down', checks: { temporal: 'down', redis: 'ok' } });
      expect(sample(await scrape(offline), 'tandem_metrics_source_up', { source: 'temporal' })).toBe(0);
    } finally {
      await offline.close();
      await connection.close();
    }
    // A call the API left retrying would start its next attempt on the closed connection within
    // one backoff interval (< 3 s here) and throw "Channel has been shut down" out of a timer:
    // wait that long, so such a leak fails this file every time, not only when the machine is slow.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  });
});

describe('request logs', () => {
  it('carry the request id and the run and task ids, never credentials', async () => {
    logged = '';
    const sam = await bearer('sam.rivera');
    const dev = await bearer('dev.patel'); // not in claims-review: refused at once
    const taskId = 'manual-task-nothing-here.t1';
    const res = await app.inject({ method: 'GET', url: `/tasks/${taskId}`, headers: { ...sam, 'x-request-id': 'req-metrics-1' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('req-metrics-1');
    const token = dev.authorization!.slice('Bearer '.length);
    expect((await app.inject({ url: `/teams/${TEAM}/events?access_token=${token}` })).statusCode).toBe(403);
    expect((await app.inject({ url: '/runs/manual-task-nothing-here', headers: { 'x-api-key': SCHEDULER_KEY.key } })).statusCode).toBe(404);

    const lines = logged.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = lines.find((l) => l.reqId === 'req-metrics-1' && l.msg === 'request completed');
    expect(done).toMatchObject({ taskId, runId: 'manual-task-nothing-here', res: { statusCode: 404 } });
    expect(lines.find((l) => l.msg === 'request completed' && (l.res as { statusCode: number }).statusCode === 403)).toMatchObject({ reqId: expect.any(String) });
    expect(logged).toContain('access_token=[redacted]');
    for (const secret of [sam.authorization!.slice('Bearer '.length), token, SCHEDULER_KEY.key]) expect(logged).not.toContain(secret);
  });
});
