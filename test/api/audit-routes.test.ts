// The audit routes through the real API (inject): scoped to the caller's clients, as JSON and as
// JSON Lines, for a whole run and for one task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { WorkflowHandle } from '@temporalio/client';
import { Redis } from 'ioredis';
import { buildApp } from '../../api/app';
import type { AuditEntry } from '../../api/audit/audit-entry';
import { TaskIndex } from '../../inbox/task-index';
import { completeTaskUpdate } from '../../workflows/engine/messages';
import { stackEnv, uniqueId } from '../support/temporal';
import { bearer, testAuth } from '../support/auth';
import { actorOf, ClaimReviewRuns, openTask } from './audit.fixtures';

let runs: ClaimReviewRuns;
let redis: Redis;
let app: FastifyInstance;
let runId: string;
let taskId: string;

beforeAll(async () => {
  runs = await ClaimReviewRuns.connect();
  redis = new Redis(stackEnv().REDIS_URL!);
  app = await buildApp({ temporal: runs.client, index: new TaskIndex(redis, { prefix: uniqueId('audit-routes') }), auth: testAuth() });
  await runs.withWorkers(async (start) => {
    const handle: WorkflowHandle = await start();
    const task = await openTask(handle);
    await handle.executeUpdate(completeTaskUpdate, {
      args: [{ taskId: task.taskId, action: 'correct', data: { amountCents: 199_000, reason: 'Second visit not covered' }, actor: actorOf('ana.lima') }],
    });
    await handle.result();
    runId = handle.workflowId;
    taskId = task.taskId;
  });
});
afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await runs?.close();
});

const get = async (url: string, operatorId?: string) =>
  app.inject({
    method: 'GET',
    url,
    headers: operatorId === undefined ? {} : operatorId === 'nobody' ? { authorization: 'Bearer not-a-token' } : await bearer(operatorId),
  });
const jsonLines = (body: string) => body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry);

describe('GET /runs/:runId/audit', () => {
  it('answers the run’s trail to an operator of its client', async () => {
    const res = await get(`/runs/${runId}/audit`, 'ben.okafor');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json<{ runId: string; entries: AuditEntry[] }>();
    expect(body.runId).toBe(runId);
    expect(body.entries.map((e) => e.action)).toEqual(['started', 'bot-step', 'task-opened', 'complete', 'bot-step', 'finished']);
    expect(body.entries[3]).toMatchObject({
      actor: { operatorId: 'ana.lima', team: 'claims-review', client: 'acme-health' },
      before: { amountCents: 245_000 },
      after: { amountCents: 199_000, reason: 'Second visit not covered' },
    });
  });

  it('exports JSON Lines, one entry a line', async () => {
    const json = (await get(`/runs/${runId}/audit`, 'ana.lima')).json<{ entries: AuditEntry[] }>();
    const res = await get(`/runs/${runId}/audit?format=jsonl`, 'ana.lima');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${runId}.audit.jsonl"`);
    expect(res.body.endsWith('\n')).toBe(true);
    expect(jsonLines(res.body)).toEqual(json.entries);
  });

  it('answers 404 to an operator of another client, as for a run that does not exist', async () => {
    for (const [url, operator] of [
      [`/runs/${runId}/audit`, 'carla.souza'],
      [`/runs/${runId}/audit?format=jsonl`, 'carla.souza'],
      ['/runs/claim-review-no-such-run/audit', 'ana.lima'],
    ] as const) {
      const res = await get(url, operator);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: 'urn:tandem:problem:run-not-found', status: 404 });
    }
  });

  it('wants to know who asks, and a format it knows', async () => {
    expect((await get(`/runs/${runId}/audit`)).json()).toMatchObject({ status: 401, field: 'headers.authorization' });
    expect((await get(`/runs/${runId}/audit`, 'nobody')).statusCode).toBe(401);
    const res = await get(`/runs/${runId}/audit?format=csv`, 'ana.lima');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'querystring.format' });
  });
});

describe('GET /tasks/:taskId/audit', () => {
  it('answers only that task’s entries, as JSON or JSON Lines', async () => {
    const res = await get(`/tasks/${taskId}/audit`, 'ana.lima');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ taskId: string; entries: AuditEntry[] }>();
    expect(body.taskId).toBe(taskId);
    expect(body.entries.map((e) => [e.action, e.taskId])).toEqual([
      ['task-opened', taskId],
      ['complete', taskId],
    ]);
    const lines = await get(`/tasks/${taskId}/audit?format=jsonl`, 'ana.lima');
    expect(lines.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(jsonLines(lines.body)).toEqual(body.entries);
  });

  it('answers 404 for another client’s operator and for a task the run never opened', async () => {
    for (const [url, operator] of [
      [`/tasks/${taskId}/audit`, 'carla.souza'],
      [`/tasks/${runId}.t9/audit`, 'ana.lima'],
      ['/tasks/claim-review-no-such-run.t1/audit', 'ana.lima'],
    ] as const) {
      const res = await get(url, operator);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ type: 'urn:tandem:problem:task-not-found' });
    }
  });
});
