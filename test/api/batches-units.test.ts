// The batch routes against a stand-in Temporal client: requests refused at the edge (naming the
// field), what a closed batch answers when no worker can replay it, and which workflows count as
// batches at all. The real batch workflow is exercised in batches.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { buildApp } from '../../api/app';
import type { TaskIndex } from '../../inbox/task-index';
import type { BatchSummary } from '../../workflows/engine/item-batch-workflow';
import type { RunView } from '../../workflows/engine/messages';
import { BatchFailureType } from '../../workflows/engine/batch-messages';
import { bearer, testAuth } from '../support/auth';

const BATCH = 'payroll-run.batch.acme-health.2026-11';
const started = new Date('2026-11-02T08:00:00Z');
const closed = new Date('2026-11-02T09:30:00Z');

interface FakeWorkflow {
  type: string;
  status: string;
  client: string;
  result?: unknown;
  /** What the run's `tandem.run` Query answers; without one, the Query fails as with no worker. */
  view?: RunView;
  /** What an Update is refused with. */
  refusal?: Error;
}

/** Just enough of a Temporal client: describe, a Query that cannot be answered, the result, and counted Updates. */
function fakeTemporal(workflows: Record<string, FakeWorkflow>) {
  const updates: string[] = [];
  const key = (name: string) => defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);
  const client = {
    workflow: {
      getHandle: (workflowId: string) => {
        const wf = workflows[workflowId];
        const missing = () => Promise.reject(new WorkflowNotFoundError('not found', workflowId, undefined));
        return {
          workflowId,
          describe: async () => {
            if (!wf) return missing();
            return {
              workflowId,
              type: wf.type,
              status: { name: wf.status },
              startTime: started,
              ...(wf.status === 'RUNNING' ? {} : { closeTime: closed }),
              typedSearchAttributes: new TypedSearchAttributes([
                { key: key('TandemClient'), value: wf.client },
                { key: key('TandemProcess'), value: 'payroll-run' },
                { key: key('TandemBusinessRef'), value: '2026-11' },
              ]),
            };
          },
          query: async () => wf?.view ?? Promise.reject(new Error('no worker polls this task queue')),
          result: async () => wf?.result,
          executeUpdate: async (def: { name: string }) => {
            updates.push(def.name);
            throw wf?.refusal ?? new Error('not expected in these tests');
          },
        };
      },
    },
  };
  return { client: client as unknown as Client, updates };
}

const summary: BatchSummary = {
  batchId: BATCH,
  batchKey: '2026-11',
  total: 3,
  counts: { pending: 0, running: 0, attended: 0, done: 2, skipped: 1, 'completed-manually': 0 },
  skippedFromEarlierRun: 1,
  generations: 2,
  startedAt: started.toISOString(),
  finishedAt: closed.toISOString(),
};

/** A run waiting on the batch it started. */
const payrollRun: RunView = {
  runId: 'payroll-run-1',
  process: 'payroll-run',
  client: 'acme-health',
  businessRef: '2026-11',
  phase: 'running',
  step: 'enter-timesheets',
  waitingOn: { kind: 'batch', batchId: BATCH, since: started.toISOString() },
  startedAt: started.toISOString(),
  steps: [{ step: 'enter-timesheets', startedAt: started.toISOString() }],
  openTasks: [],
  batches: [{ batchId: BATCH, handler: 'payroll-run.timesheet-line', batchKey: '2026-11' }],
};

let app: FastifyInstance;
let temporal: ReturnType<typeof fakeTemporal>;

beforeAll(async () => {
  temporal = fakeTemporal({
    [BATCH]: { type: 'itemBatch', status: 'COMPLETED', client: 'acme-health', result: summary },
    'payroll-run.batch.acme-health.terminated': { type: 'itemBatch', status: 'TERMINATED', client: 'acme-health' },
    'payroll-run.batch.acme-health.running': { type: 'itemBatch', status: 'RUNNING', client: 'acme-health' },
    'payroll-run.batch.acme-health.closing': {
      type: 'itemBatch',
      status: 'RUNNING',
      client: 'acme-health',
      refusal: new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: BatchFailureType.BatchClosing, message: 'Batch has finished its items', nonRetryable: true })),
    },
    'claim-review-abc': { type: 'claimReview', status: 'RUNNING', client: 'acme-health' },
    'payroll-run-1': { type: 'payrollRun', status: 'RUNNING', client: 'acme-health', view: payrollRun },
  });
  app = await buildApp({ temporal: temporal.client, index: {} as TaskIndex, auth: testAuth() });
});
afterAll(async () => {
  await app?.close();
});

const call = async (person: string, method: 'GET' | 'POST', url: string, payload?: object) => {
  const res = await app.inject({ method, url, headers: await bearer(person), ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json(), type: res.headers['content-type'] };
};

describe('batch routes refuse bad requests at the edge, naming the field', () => {
  const items = `/batches/${BATCH}/items`;

  it.each([
    ['limit 0', `${items}?limit=0`, 'querystring.limit'],
    ['limit 501', `${items}?limit=501`, 'querystring.limit'],
    ['an unknown status', `${items}?status=lost`, 'querystring.status'],
    ['a malformed after', `${items}?after=${encodeURIComponent('a b')}`, 'querystring.after'],
  ])('GET items with %s: 400', async (_name, url, field) => {
    const res = await call('ana.lima', 'GET', url);
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body.field).toBe(field);
  });

  it.each([
    ['no items', { items: [] }, 'body.items'],
    ['1001 items', { items: Array.from({ length: 1001 }, (_, i) => ({ ref: `E-${i}`, data: {} })) }, 'body.items'],
    ['a ref with a space', { items: [{ ref: 'E 1', data: {} }] }, 'body.items.0.ref'],
    ['an item without data', { items: [{ ref: 'E-1' }] }, 'body.items.0.data'],
    ['a notBefore that is no date', { items: [{ ref: 'E-1', data: {}, notBefore: 'tomorrow' }] }, 'body.items.0.notBefore'],
    ['an unknown field', { items: [{ ref: 'E-1', data: {}, priority: 1 }] }, 'body.items.0'],
  ])('POST items with %s: 400', async (_name, payload, field) => {
    const res = await call('nina.berg', 'POST', items, payload);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
  });

  it.each([
    ['in the past', { until: '2020-01-01T00:00:00Z' }],
    ['without a zone', { until: '2099-01-01T00:00:00' }],
    ['missing', {}],
  ])('POST postpone with until %s: 400 naming body.until', async (_name, payload) => {
    const res = await call('nina.berg', 'POST', `${items}/E-1/postpone`, payload);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('body.until');
  });

  it('takes nothing from a client-viewer, even well-formed', async () => {
    expect((await call('vera.acme', 'POST', items, { items: [{ ref: 'E-1', data: {} }] })).status).toBe(403);
  });
});

describe('a closed batch', () => {
  it('answers its progress from its summary when no worker can replay it', async () => {
    const res = await call('vera.acme', 'GET', `/batches/${BATCH}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      batchId: BATCH,
      batchKey: '2026-11',
      client: 'acme-health',
      process: 'payroll-run',
      phase: 'completed',
      status: 'completed',
      startedAt: started.toISOString(),
      closedAt: closed.toISOString(),
      counts: summary.counts,
      total: 3,
      generation: 2,
      skippedFromEarlierRun: 1,
      attended: [],
    });
  });

  it('answers 503 when neither its Query nor a result can tell (terminated, no worker)', async () => {
    const res = await call('ana.lima', 'GET', '/batches/payroll-run.batch.acme-health.terminated');
    expect(res.status).toBe(503);
    expect(res.body.type).toBe('urn:tandem:problem:unavailable');
  });

  it('refuses new items and postponements with 409 without reaching the workflow', async () => {
    const enqueue = await call('nina.berg', 'POST', `/batches/${BATCH}/items`, { items: [{ ref: 'E-9', data: {} }] });
    expect(enqueue.status).toBe(409);
    expect(enqueue.body).toMatchObject({ type: 'urn:tandem:problem:batch-closed', detail: expect.stringContaining('completed') });
    const postpone = await call('sam.rivera', 'POST', `/batches/${BATCH}/items/E-1/postpone`, { until: '2099-01-01T00:00:00Z' });
    expect(postpone.status).toBe(409);
    expect(temporal.updates).toEqual([]);
  });

  it('refuses new items with 409 when the batch is closing (its validator says so)', async () => {
    const res = await call('nina.berg', 'POST', '/batches/payroll-run.batch.acme-health.closing/items', { items: [{ ref: 'E-9', data: {} }] });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: 'urn:tandem:problem:batch-closed', detail: 'Batch has finished its items' });
    expect(temporal.updates).toEqual(['tandem.enqueueItems']);
  });
});

describe('what counts as a batch', () => {
  it('answers 404 for a run that is not a batch, a missing one, and another client’s, alike', async () => {
    const urls = ['/batches/claim-review-abc', '/batches/payroll-run.batch.acme-health.none'];
    for (const url of urls) {
      const res = await call('ana.lima', 'GET', url);
      expect(res.status, url).toBe(404);
      expect(res.body.type).toBe('urn:tandem:problem:batch-not-found');
    }
    // carla.souza serves globex-insurance only.
    const other = await call('carla.souza', 'GET', '/batches/payroll-run.batch.acme-health.running');
    expect(other.status).toBe(404);
    expect(other.body.detail).toBe('No batch payroll-run.batch.acme-health.running');
  });

  it('answers 503 for items of a batch that cannot answer its Query now', async () => {
    const res = await call('ana.lima', 'GET', '/batches/payroll-run.batch.acme-health.running/items');
    expect(res.status).toBe(503);
  });
});

describe('a run that started a batch', () => {
  it('lists its batches and says it waits on one', async () => {
    const res = await call('vera.acme', 'GET', '/runs/payroll-run-1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      runId: 'payroll-run-1',
      status: 'running',
      waitingOn: { kind: 'batch', batchId: BATCH, since: started.toISOString() },
      batches: [{ batchId: BATCH, handler: 'payroll-run.timesheet-line', batchKey: '2026-11' }],
    });
  });
});
