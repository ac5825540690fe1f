// The batch routes against the real stack: the engine's batch workflow (fixture handler
// `fixture.count`, whose bot step is a faked activity) on an in-process worker, read and fed
// through the API. Client scope, roles, the batch validators' refusals as problem+json, paging,
// and a batch that has finished.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type NativeConnection } from '@temporalio/worker';
import { createBatchHistoryActivities } from '../../activities/batch-history';
import { mintToken } from '../../api/auth/token-verifier';
import { batchIdFor, type BatchItem } from '../../workflows/engine/batch-messages';
import type { ItemBatchInput } from '../../workflows/engine/item-batch-workflow';
import { FIXTURE_BOT_QUEUE, type CountBots, type CountItem } from '../workflows/fixtures/batch-fixtures';
import { startApi, type TestApi } from '../support/tandem-api';
import { bearer, TEST_TOKEN_SETTINGS } from '../support/auth';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

const FAR_FUTURE = '2099-01-01T00:00:00.000Z';

let api: TestApi;
let temporal: { client: Client; close: () => Promise<void> };
let connection: NativeConnection;
let workers: Worker[] = [];
let running: Promise<unknown>;
const taskQueue = uniqueId('batch-api');
/** Writes the fake client app received, by idempotency reference. */
const writes = new Map<string, number>();

beforeAll(async () => {
  api = await startApi(uniqueId('batches'));
  temporal = await temporalClient();
  connection = await workerConnection();
  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../workflows/fixtures/batch-fixtures.ts', import.meta.url)),
    logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never,
  });
  const common = { connection, namespace: stackEnv().TEMPORAL_NAMESPACE!, dataConverter: workerDataConverter() };
  const bots: CountBots = {
    countItem: async ({ value, reference }) => {
      if (!writes.has(reference)) writes.set(reference, value);
      return { written: true };
    },
  };
  workers = [
    await Worker.create({
      ...common,
      taskQueue,
      workflowBundle: bundle,
      activities: { ...createBatchHistoryActivities(), emitEvent: async () => undefined, syncTask: async () => ({}) },
    }),
    await Worker.create({ ...common, taskQueue: FIXTURE_BOT_QUEUE, activities: bots }),
  ];
  running = Promise.all(workers.map((w) => w.run()));
}, 120_000);

afterAll(async () => {
  for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
  await api?.close();
  await temporal?.close();
  await connection?.close();
});

const item = (ref: string, value: number, notBefore?: string): BatchItem<CountItem> => ({ ref, data: { value }, ...(notBefore ? { notBefore } : {}) });

/** Starts a batch the way the engine does: the batch sets its own search attributes (client, process, key). */
async function startBatch(items: BatchItem<CountItem>[]): Promise<string> {
  const batchKey = uniqueId('k');
  const batchId = batchIdFor('fixture', 'acme-health', batchKey);
  const input: ItemBatchInput = { batchKey, client: 'acme-health', process: 'fixture', handler: 'fixture.count', items, concurrency: 2 };
  await temporal.client.workflow.start('itemBatch', { taskQueue, workflowId: batchId, args: [input] });
  return batchId;
}

type Method = 'GET' | 'POST';
async function call(who: string | Record<string, string>, method: Method, url: string, payload?: object) {
  const headers = typeof who === 'string' ? await bearer(who) : who;
  const res = await api.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json(), type: res.headers['content-type'] };
}

/** A scheduler of globex-insurance only: may feed batches, but none of acme-health's. */
const globexScheduler = async () => ({
  authorization: `Bearer ${await mintToken(TEST_TOKEN_SETTINGS, { id: 'gus.globex', name: 'Gus (Globex)', roles: ['scheduler'], teams: [], clients: ['globex-insurance'] })}`,
});

const refsOf = (page: { items: Array<{ ref: string }> }) => page.items.map((i) => i.ref);

describe('a running batch', () => {
  let batchId: string;
  let url: string;

  beforeAll(async () => {
    // P-1 waits until far in the future, which keeps the batch running for these tests.
    batchId = await startBatch([item('P-1', 1, FAR_FUTURE), item('D-1', 2), item('D-2', 3)]);
    url = `/batches/${batchId}`;
    await eventually(async () => {
      const res = await call('ana.lima', 'GET', url);
      return res.status === 200 && res.body.counts.done === 2;
    }, 'the batch read through the API with D-1 and D-2 done');
  });

  it('shows its progress to the people of its client, whatever their reading role', async () => {
    const res = await call('ana.lima', 'GET', url);
    expect(res.body).toMatchObject({
      batchId,
      client: 'acme-health',
      process: 'fixture',
      handler: 'fixture.count',
      phase: 'running',
      status: 'running',
      total: 3,
      concurrency: 2,
      generation: 1,
      counts: { pending: 1, running: 0, attended: 0, done: 2, skipped: 0, 'completed-manually': 0 },
      attended: [],
    });
    expect(res.body.closedAt).toBeUndefined();
    for (const person of ['vera.acme', 'nina.berg', 'omar.haddad', 'sam.rivera']) expect((await call(person, 'GET', url)).status, person).toBe(200);
  });

  it('is unknown to another client’s people: 404 on every route, as for a missing batch', async () => {
    const carla = await call('carla.souza', 'GET', url); // operator of globex-insurance only
    expect(carla.status).toBe(404);
    expect(carla.body).toMatchObject({ type: 'urn:tandem:problem:batch-not-found', detail: `No batch ${batchId}` });
    expect(carla.body).toEqual({ ...(await call('carla.souza', 'GET', `${url}-nope`)).body, detail: `No batch ${batchId}`, instance: url });
    expect((await call('carla.souza', 'GET', `${url}/items`)).status).toBe(404);
    const gus = await globexScheduler();
    expect((await call(gus, 'POST', `${url}/items`, { items: [item('G-1', 1)] })).status).toBe(404);
    expect((await call(gus, 'POST', `${url}/items/P-1/postpone`, { until: FAR_FUTURE })).status).toBe(404);
    // Nothing was added for Gus.
    expect((await call('ana.lima', 'GET', url)).body.total).toBe(3);
  });

  it('asks who is calling (401) and refuses roles that may only read (403)', async () => {
    const anonymous = await call({}, 'GET', url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toMatch(/^application\/problem\+json/);
    expect((await call({}, 'POST', `${url}/items`, { items: [item('A-1', 1)] })).status).toBe(401);
    for (const person of ['ana.lima', 'vera.acme']) {
      const res = await call(person, 'POST', `${url}/items`, { items: [item('A-1', 1)] });
      expect(res.status, person).toBe(403);
      expect((await call(person, 'POST', `${url}/items/P-1/postpone`, { until: FAR_FUTURE })).status, person).toBe(403);
    }
  });

  it('accepts new items (202) and works them', async () => {
    const res = await call('nina.berg', 'POST', `${url}/items`, { items: [item('E-1', 10), item('E-2', 20)] });
    expect(res).toMatchObject({ status: 202, body: { accepted: 2, total: 5 } });
    await eventually(async () => (await call('ana.lima', 'GET', url)).body.counts.done === 4, 'E-1 and E-2 done');
    expect([...writes.entries()].filter(([ref]) => ref.includes(':E-')).map(([, v]) => v).sort()).toEqual([10, 20]);
  });

  it('refuses items already in the batch or repeated in the request with 409, naming each and its status, and adds none', async () => {
    const res = await call('sam.rivera', 'POST', `${url}/items`, { items: [item('N-1', 1), item('D-1', 2), item('N-1', 3), item('P-1', 4)] });
    expect(res.status).toBe(409);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'urn:tandem:problem:duplicate-items', field: 'body.items.1.ref' });
    expect(res.body.duplicates).toEqual([
      { index: 1, ref: 'D-1', status: 'done', field: 'body.items.1.ref' },
      { index: 2, ref: 'N-1', status: 'repeated-in-request', field: 'body.items.2.ref' },
      { index: 3, ref: 'P-1', status: 'pending', field: 'body.items.3.ref' },
    ]);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.items.1.ref', 'body.items.2.ref', 'body.items.3.ref']);
    const page = (await call('ana.lima', 'GET', `${url}/items?limit=500`)).body;
    expect(refsOf(page)).not.toContain('N-1');
  });

  it('refuses items the handler cannot take with 422 naming the fields', async () => {
    const res = await call('nina.berg', 'POST', `${url}/items`, { items: [item('V-1', 1), { ref: 'V-2', data: { value: 'seven' } }, { ref: 'V-3', data: {} }] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ type: 'urn:tandem:problem:invalid-items', field: 'body.items.1.data.value' });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.items.1.data.value', 'body.items.2.data.value']);
    expect((await call('ana.lima', 'GET', url)).body.total).toBe(5);
  });

  it('postpones a pending item (200), refuses a done one (409) and an unknown one (404)', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const res = await call('nina.berg', 'POST', `${url}/items/P-1/postpone`, { until });
    expect(res).toMatchObject({ status: 200, body: { ref: 'P-1', status: 'pending', notBefore: until, attempts: 0 } });
    const done = await call('nina.berg', 'POST', `${url}/items/D-1/postpone`, { until });
    expect(done.status).toBe(409);
    expect(done.body).toMatchObject({ type: 'urn:tandem:problem:item-not-postponable', detail: expect.stringContaining('done') });
    const unknown = await call('nina.berg', 'POST', `${url}/items/Z-9/postpone`, { until });
    expect(unknown).toMatchObject({ status: 404, body: { type: 'urn:tandem:problem:item-not-found' } });
  });

  it('pages through its items in batch order with after/next, and filters by status', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await call('vera.acme', 'GET', `${url}/items?limit=2${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...refsOf(res.body));
      after = res.body.next;
      if (!after) break;
    }
    expect(seen).toEqual(['P-1', 'D-1', 'D-2', 'E-1', 'E-2']);
    expect(after).toBeUndefined();
    const pending = (await call('ana.lima', 'GET', `${url}/items?status=pending`)).body;
    expect(pending).toEqual({ items: [expect.objectContaining({ ref: 'P-1', status: 'pending' })] });
    const done = (await call('ana.lima', 'GET', `${url}/items?status=done&limit=1`)).body;
    expect(done).toEqual({ items: [expect.objectContaining({ ref: 'D-1', status: 'done', attempts: 1 })], next: 'D-1' });
  });

  afterAll(async () => {
    await temporal.client.workflow.getHandle(batchId).terminate('test over');
  });
});

describe('a finished batch', () => {
  it('still answers its progress and items, and takes no more items (409)', async () => {
    const batchId = await startBatch([item('F-1', 1), item('F-2', 2)]);
    await temporal.client.workflow.getHandle(batchId).result();
    const url = `/batches/${batchId}`;
    const res = await call('ana.lima', 'GET', url);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', phase: 'completed', total: 2, counts: { done: 2, pending: 0 }, closedAt: expect.any(String) });
    expect(refsOf((await call('ana.lima', 'GET', `${url}/items`)).body)).toEqual(['F-1', 'F-2']);
    const late = await call('nina.berg', 'POST', `${url}/items`, { items: [item('F-3', 3)] });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ type: 'urn:tandem:problem:batch-closed' });
  });
});
