// A task SLA breach and a run SLA breach, raised by the run's own durable timers, each reach the
// client's webhook exactly once with a valid signature, although the receiver was down for the
// first attempts (real Temporal, Redis, BullMQ and HTTP).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createInboxActivities } from '../../activities/inbox';
import { Roster } from '../../inbox/roster';
import { TaskIndex } from '../../inbox/task-index';
import { createNotifier, type Notifier } from '../../notifications/notifier';
import { deriveSecret, verifySignature } from '../../notifications/signing';
import type { TandemEvent } from '../../workflows/engine/events';
import { Receiver } from '../notifications/receiver';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

const prefix = uniqueId('sla-hooks');
const masterKey = randomBytes(32).toString('base64url');
let redis: Redis;
let notifier: Notifier;
let connection: NativeConnection;
let temporal: { client: Client; close: () => Promise<void> };

beforeAll(async () => {
  redis = new Redis(stackEnv().REDIS_URL!);
  notifier = await createNotifier({ redis: stackEnv().REDIS_URL!, prefix, masterKey, delivery: { attempts: 6, backoffMs: 400, backoffJitter: 0 } });
  connection = await workerConnection();
  temporal = await temporalClient();
});
afterAll(async () => {
  await notifier?.close();
  await redis?.quit();
  await connection?.close();
  await temporal?.close();
});

describe('SLA breaches as webhooks', () => {
  it('delivers one signed webhook per breach, also when the receiver was down at first', async () => {
    const receiver = await Receiver.start({ listening: false });
    // Once up, it still refuses the first request, as a receiver in trouble would.
    receiver.answer = (n) => (n === 1 ? 503 : 200);
    const subscription = await notifier.subscriptions.create(
      { client: 'acme-health', url: receiver.url(), eventTypes: ['task.sla-breached', 'run.sla-breached'] },
      'test',
    );
    const taskQueue = uniqueId('sla-e2e');
    const worker = await Worker.create({
      connection,
      namespace: stackEnv().TEMPORAL_NAMESPACE!,
      taskQueue,
      dataConverter: workerDataConverter(),
      workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
      activities: { ...createInboxActivities({ index: new TaskIndex(redis, { prefix }), roster: Roster.load() }), ...notifier.activities },
    });
    await worker.runUntil(async () => {
      const runId = uniqueId('manual-task');
      const handle = await temporal.client.workflow.start('manualTask', {
        taskQueue,
        workflowId: runId,
        args: [{ client: 'acme-health', reference: 'PAY-2026-11', title: 'Approve payroll totals', team: 'claims-review', sla: { withinMs: 1000 }, runSla: { withinMs: 1500 } }],
      });
      // Down while both breaches happen, and for the first retries.
      await new Promise((r) => setTimeout(r, 2500));
      expect(receiver.requests).toHaveLength(0);
      await receiver.listen();
      await eventually(async () => receiver.delivered().length >= 2, 'both webhooks delivered', 30_000, 100);
      await new Promise((r) => setTimeout(r, 1500)); // anything extra would have arrived by now
      const delivered = receiver.delivered().map((r) => ({ ...r, event: JSON.parse(r.body) as TandemEvent }));
      expect(delivered.map((d) => d.event.type).sort()).toEqual(['run.sla-breached', 'task.sla-breached']);
      const secret = deriveSecret(masterKey, subscription.id);
      for (const d of delivered) {
        expect(d.event.runId).toBe(runId);
        const header = d.headers['x-tandem-signature'] as string;
        expect(verifySignature(secret, d.headers['x-tandem-timestamp'] as string, d.body, header)).toBe(true);
        expect(verifySignature(deriveSecret(masterKey, 'someone-else'), d.headers['x-tandem-timestamp'] as string, d.body, header)).toBe(false);
      }
      expect(receiver.received().length).toBeGreaterThan(2); // the refused attempt was retried
      await handle.cancel();
    });
    await receiver.close();
  });
});
