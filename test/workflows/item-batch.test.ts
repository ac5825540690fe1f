// The item-batch engine on the real Temporal server, with a fixture handler whose bot step is a
// faked activity that counts writes per idempotency reference (our own collaborator, faked).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { createBatchHistoryActivities } from '../../activities/batch-history';
import { TaskIndex } from '../../inbox/task-index';
import { BUSINESS_EXCEPTION } from '../../workflows/engine/failures';
import {
  batchItemsQuery,
  batchProgressQuery,
  enqueueItemsUpdate,
  postponeItemUpdate,
  type BatchItem,
} from '../../workflows/engine/batch-messages';
import { completeTaskUpdate, runViewQuery, type Actor, type HumanTaskView } from '../../workflows/engine/messages';
import type { BatchSummary, ItemBatchInput } from '../../workflows/engine/item-batch-workflow';
import type { TandemEvent } from '../../workflows/engine/events';
import { FIXTURE_BOT_QUEUE, type CountBots, type CountItem } from './fixtures/batch-fixtures';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

const fixer: Actor = { operatorId: 'fia.fixer', teams: ['fixture-team'], clients: ['acme-health'], roles: ['operator'] };

/** The fake client app: every write by reference, and refusals of negative values. */
class CountApp {
  writes = new Map<string, number>();
  calls = 0;
  gate?: Promise<void>;
  events: TandemEvent[] = [];
  synced: HumanTaskView[] = [];
  /** The real inbox index, when a test wants to see what the team's queue shows. */
  index?: TaskIndex;

  bots(): CountBots {
    return {
      countItem: async ({ ref, value, reference }) => {
        this.calls += 1;
        await this.gate;
        if (ref.startsWith('DOWN-')) throw new Error('The client app answered 500');
        if (value < 0) throw ApplicationFailure.create({ type: BUSINESS_EXCEPTION, message: `Value of ${ref} refused`, nonRetryable: true, details: [{ code: 'NegativeValue', details: { ref } }] });
        if (this.writes.has(reference)) return { written: false };
        this.writes.set(reference, value);
        return { written: true };
      },
    };
  }

  orchestration() {
    return {
      ...createBatchHistoryActivities(),
      emitEvent: async (event: TandemEvent) => void this.events.push(event),
      syncTask: async (task: HumanTaskView) => {
        this.synced.push(task);
        await this.index?.put(task);
        return {};
      },
    };
  }
}

let connection: NativeConnection;
let client: Client;
let closeClient: () => Promise<void>;
let bundle: WorkflowBundleWithSourceMap;
const namespace = (): string => stackEnv().TANDEM_UNIT_NAMESPACE!;

beforeAll(async () => {
  connection = await workerConnection();
  ({ client, close: closeClient } = await temporalClient(namespace()));
  bundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./fixtures/batch-fixtures.ts', import.meta.url)), logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never });
}, 120_000);
afterAll(async () => {
  await closeClient?.();
  await connection?.close();
});

async function withWorkers<T>(app: CountApp, body: (start: (input: Partial<ItemBatchInput> & { items: BatchItem<CountItem>[] }, id?: string) => Promise<WorkflowHandle>) => Promise<T>, botConcurrency = 20): Promise<T> {
  const taskQueue = uniqueId('batch');
  const common = { connection, namespace: namespace(), dataConverter: workerDataConverter() };
  const orchestration = await Worker.create({ ...common, taskQueue, workflowBundle: bundle, activities: app.orchestration(), maxCachedWorkflows: 50 });
  const bots = await Worker.create({ ...common, taskQueue: FIXTURE_BOT_QUEUE, activities: app.bots(), maxConcurrentActivityTaskExecutions: botConcurrency });
  const start = (input: Partial<ItemBatchInput> & { items: BatchItem<CountItem>[] }, id = uniqueId('fixture.batch')) =>
    client.workflow.start('itemBatch', {
      taskQueue,
      workflowId: id,
      args: [{ batchKey: id, client: 'acme-health', process: 'fixture', handler: 'fixture.count', ...input }],
    });
  return orchestration.runUntil(bots.runUntil(body(start)));
}

const items = (n: number, from = 1): BatchItem<CountItem>[] => Array.from({ length: n }, (_, i) => ({ ref: `I-${from + i}`, data: { value: from + i } }));

async function updateFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
}

/** The history length of every run in the batch's continue-as-new chain. */
async function chainLengths(batchId: string): Promise<number[]> {
  const lengths: number[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${batchId}'` })) {
    const history = await client.workflow.getHandle(batchId, execution.runId).fetchHistory();
    lengths.push(history.events!.length);
  }
  return lengths;
}

describe('item batches', () => {
  it('works every item once across several generations, with progress readable while it runs', async () => {
    const app = new CountApp();
    let open = (): void => undefined;
    app.gate = new Promise((resolve) => (open = resolve));
    const summary = await withWorkers(app, async (start) => {
      const handle = await start({ items: items(40), concurrency: 5, itemsPerGeneration: 12 });
      const during = await eventually(async () => {
        const p = await handle.query(batchProgressQuery);
        return p.counts.running === 5 && p;
      }, 'five items running at once');
      expect(during).toMatchObject({ total: 40, concurrency: 5, generation: 1, counts: { pending: 35, done: 0 } });
      open();
      return (await handle.result()) as BatchSummary;
    });
    expect(summary.counts).toMatchObject({ done: 40, pending: 0, running: 0, attended: 0 });
    expect(summary.generations).toBeGreaterThanOrEqual(4);
    expect(app.writes.size).toBe(40);
    expect([...app.writes.keys()].every((ref) => /^.+:I-\d+:count$/.test(ref))).toBe(true);
  });

  it('sends a failing item to a human with retry / fix-and-retry / skip / complete-manually / postpone while the rest go on', async () => {
    const app = new CountApp();
    await withWorkers(app, async (start) => {
      const list = [...items(6), { ref: 'BAD-1', data: { value: -5 } }, { ref: 'BAD-2', data: { value: -7 } }, { ref: 'DOWN-1', data: { value: 1 } }];
      const handle = await start({ items: list, concurrency: 3 });
      const progress = await eventually(async () => {
        const p = await handle.query(batchProgressQuery);
        return p.counts.done === 6 && p.counts.attended === 3 && p;
      }, 'the good items done and the bad ones with a human');
      expect(progress.attended.map((a) => a.ref).sort()).toEqual(['BAD-1', 'BAD-2', 'DOWN-1']);
      expect(progress.attended.find((a) => a.ref === 'BAD-1')!.lastFailure).toMatchObject({ kind: 'business', code: 'NegativeValue' });
      // A system fault is retried (the fixture's policy: 2 attempts) and only then handed to a person.
      expect(progress.attended.find((a) => a.ref === 'DOWN-1')!.lastFailure).toMatchObject({ kind: 'system', message: 'The client app answered 500' });
      expect(app.calls).toBe(6 + 2 + 2);
      const down = client.workflow.getHandle(progress.attended.find((a) => a.ref === 'DOWN-1')!.itemRunId!);
      const downTask = await eventually(async () => (await down.query(runViewQuery)).openTasks[0], 'the system fault task');
      await down.executeUpdate(completeTaskUpdate, { args: [{ taskId: downTask.taskId, action: 'complete-manually', data: { confirmation: 'CNT-991' }, actor: fixer }] });

      // The item's own run holds the exception task, with the failure in its context.
      const bad1 = progress.attended.find((a) => a.ref === 'BAD-1')!;
      const itemRun = client.workflow.getHandle(bad1.itemRunId!);
      const task = await eventually(async () => (await itemRun.query(runViewQuery)).openTasks[0], 'the exception task');
      expect(task).toMatchObject({ kind: 'fixture.count-exception', team: 'fixture-team', actions: ['retry', 'fix-and-retry', 'skip', 'complete-manually', 'postpone'] });
      expect(task.context).toMatchObject({ failure: { kind: 'business', code: 'NegativeValue' }, item: { ref: 'BAD-1', data: { value: -5 } } });

      const badFix = await updateFailure(itemRun.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'fix-and-retry', data: { item: { value: 'x' } }, actor: fixer }] }));
      expect(JSON.stringify(badFix.details)).toContain('data.item.value');
      await itemRun.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'fix-and-retry', data: { item: { value: 5 } }, actor: fixer }] });

      const bad2 = progress.attended.find((a) => a.ref === 'BAD-2')!;
      const itemRun2 = client.workflow.getHandle(bad2.itemRunId!);
      const task2 = await eventually(async () => (await itemRun2.query(runViewQuery)).openTasks[0], 'the second exception task');
      await itemRun2.executeUpdate(completeTaskUpdate, { args: [{ taskId: task2.taskId, action: 'skip', data: { reason: 'Employee left' }, actor: fixer }] });

      const summary = (await handle.result()) as BatchSummary;
      expect(summary.counts).toMatchObject({ done: 7, skipped: 1, 'completed-manually': 1 });
      const skipped = await client.workflow.getHandle(handle.workflowId, (await handle.describe()).runId).query(batchItemsQuery, { status: 'skipped' });
      expect(skipped.items).toEqual([expect.objectContaining({ ref: 'BAD-2', status: 'skipped', resolution: { by: 'fia.fixer', note: 'Employee left' } })]);
      expect(app.writes.get(`${handle.workflowId}:BAD-1:count`)).toBe(5);
      expect(app.events.map((e) => e.type)).toContain('batch.finished-with-exceptions');
    });
  });

  it('moves an item whose work asks a human to its own run and finishes it there', async () => {
    const app = new CountApp();
    await withWorkers(app, async (start) => {
      const handle = await start({ items: [...items(2), { ref: 'ASK-1', data: { value: 9, confirm: true } }] });
      const progress = await eventually(async () => {
        const p = await handle.query(batchProgressQuery);
        return p.counts.attended === 1 && p.counts.done === 2 && p;
      }, 'the attended item with a human');
      const itemRun = client.workflow.getHandle(progress.attended[0]!.itemRunId!);
      const task = await eventually(async () => (await itemRun.query(runViewQuery)).openTasks[0], 'the confirm task');
      expect(task.kind).toBe('fixture.confirm');
      expect(app.writes.has(`${handle.workflowId}:ASK-1:count`)).toBe(false);
      await itemRun.executeUpdate(completeTaskUpdate, { args: [{ taskId: task.taskId, action: 'confirm', data: {}, actor: fixer }] });
      const summary = (await handle.result()) as BatchSummary;
      expect(summary.counts.done).toBe(3);
      expect(app.writes.get(`${handle.workflowId}:ASK-1:count`)).toBe(9);
    });
  });

  it('refuses a duplicate reference clearly, accepts new items while running, and postpones an item until a time', async () => {
    const app = new CountApp();
    let open = (): void => undefined;
    app.gate = new Promise((resolve) => (open = resolve));
    await withWorkers(app, async (start) => {
      const handle = await start({ items: items(3), concurrency: 1 });
      await eventually(async () => (await handle.query(batchProgressQuery)).counts.running === 1, 'the first item running');

      const dup = await updateFailure(handle.executeUpdate(enqueueItemsUpdate, { args: [{ items: [{ ref: 'I-9', data: { value: 9 } }, { ref: 'I-2', data: { value: 2 } }, { ref: 'I-9', data: { value: 9 } }], by: 'sam' }] }));
      expect(dup.type).toBe('DuplicateItem');
      expect(dup.details?.[0]).toEqual({ duplicates: [{ index: 1, ref: 'I-2', status: 'pending' }, { index: 2, ref: 'I-9', status: 'repeated-in-request' }] });
      const invalid = await updateFailure(handle.executeUpdate(enqueueItemsUpdate, { args: [{ items: [{ ref: 'I-10', data: { value: 'ten' } }], by: 'sam' }] }));
      expect(invalid.type).toBe('InvalidItem');
      expect(JSON.stringify(invalid.details)).toContain('items.0.data.value');

      const until = new Date(Date.now() + 2_500).toISOString();
      expect(await handle.executeUpdate(postponeItemUpdate, { args: [{ ref: 'I-3', until, by: 'sam' }] })).toMatchObject({ ref: 'I-3', status: 'pending', notBefore: until });
      const notPending = await updateFailure(handle.executeUpdate(postponeItemUpdate, { args: [{ ref: 'I-1', until, by: 'sam' }] }));
      expect(notPending.type).toBe('ItemNotPostponable');
      expect(await handle.executeUpdate(enqueueItemsUpdate, { args: [{ items: [{ ref: 'I-4', data: { value: 4 } }], by: 'sam' }] })).toEqual({ accepted: 1, total: 4 });

      open();
      // I-4 overtakes the postponed I-3, which waits for its time.
      await eventually(async () => (await handle.query(batchProgressQuery)).counts.done === 3, 'three items done');
      const order = [...app.writes.keys()].map((k) => k.split(':')[1]);
      expect(order).toEqual(['I-1', 'I-2', 'I-4']);
      const summary = (await handle.result()) as BatchSummary;
      expect(summary.counts.done).toBe(4);
      expect(Date.parse(summary.finishedAt)).toBeGreaterThanOrEqual(Date.parse(until));
    });
  });

  it('a re-run of the same batch skips the items an earlier run finished, and its new exceptions are new tasks in the inbox', async () => {
    const app = new CountApp();
    const redis = new Redis(stackEnv().REDIS_URL!);
    app.index = new TaskIndex(redis, { prefix: uniqueId('rerun-index') });
    try {
      await withWorkers(app, async (start) => {
        const id = uniqueId('fixture.batch.rerun');
        const bad = { ref: 'BAD-1', data: { value: -1 } };
        const attendedTask = async (handle: WorkflowHandle) => {
          const p = await eventually(async () => {
            const now = await handle.query(batchProgressQuery);
            return now.counts.attended === 1 && now.counts.pending + now.counts.running === 0 && now;
          }, 'the bad item with a human');
          const itemRun = client.workflow.getHandle(p.attended[0]!.itemRunId!);
          const task = await eventually(async () => (await itemRun.query(runViewQuery)).openTasks[0], 'its exception task');
          return { itemRun, task };
        };
        const first = await start({ items: [...items(5), bad] }, id);
        const one = await attendedTask(first);
        await one.itemRun.executeUpdate(completeTaskUpdate, { args: [{ taskId: one.task.taskId, action: 'skip', data: { reason: 'Later' }, actor: fixer }] });
        await first.result();
        expect(app.calls).toBe(6);
        await eventually(async () => {
          for await (const e of client.workflow.list({ query: `WorkflowId = '${id}' AND ExecutionStatus = 'Completed'` })) return e;
          return undefined;
        }, 'the first run visible as closed');
        const second = await start({ items: [...items(7), bad] }, id);
        const two = await attendedTask(second);
        // The same item's second visit in another run of the batch: a run and a task of its own.
        expect(two.itemRun.workflowId).not.toBe(one.itemRun.workflowId);
        expect(two.task.taskId).not.toBe(one.task.taskId);
        // So the index, which holds the first run's completed task, takes the new one at once.
        await eventually(async () => (await app.index!.get(two.task.taskId))?.status === 'open', 'the new task open in the index', 5_000, 50);
        expect((await app.index!.get(one.task.taskId))?.status).not.toBe('open');
        await two.itemRun.executeUpdate(completeTaskUpdate, { args: [{ taskId: two.task.taskId, action: 'skip', data: { reason: 'Still later' }, actor: fixer }] });
        expect((await second.result()) as BatchSummary).toMatchObject({ skippedFromEarlierRun: 5, counts: { done: 7, skipped: 1 } });
        expect(app.calls).toBe(6 + 2 + 1);
      });
    } finally {
      await redis.quit();
    }
  });

  it('completes a 10,000-item batch with every run of its history bounded', async () => {
    const app = new CountApp();
    const n = Number(process.env.BATCH_N ?? 10_000);
    const id = uniqueId('fixture.batch.big');
    const started = Date.now();
    const summary = await withWorkers(
      app,
      async (start) => (await (await start({ items: items(n), concurrency: 100, itemsPerGeneration: 1_000 }, id)).result()) as BatchSummary,
      100,
    );
    const seconds = (Date.now() - started) / 1000;
    expect(summary.counts.done).toBe(n);
    expect(app.writes.size).toBe(n);
    const lengths = await chainLengths(id);
    expect(lengths.length).toBe(summary.generations);
    expect(Math.max(...lengths)).toBeLessThan(10_240);
    console.log(`10,000-item batch: ${seconds.toFixed(1)} s (${(n / seconds).toFixed(0)} items/s), ${lengths.length} runs, longest history ${Math.max(...lengths)} events`);
  }, 600_000);
});
