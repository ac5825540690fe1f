// Webhook subscriptions are kept in Temporal (a run per subscription, on the real stack's server)
// and only mirrored in Redis: a Redis that comes back empty shows them again, to the API's list and
// to the emit path, a removed one stays removed, and one that only Redis held is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { WebhookSubscriptions } from '../../notifications/subscriptions';
import { SubscriptionRegistry, subscriptionRunId } from '../../notifications/subscription-registry';
import { createNotificationActivities } from '../../activities/notifications';
import type { DeliveryQueue } from '../../notifications/delivery-queue';
import type { TandemEvent } from '../../workflows/engine/events';
import { eventually, stackEnv, temporalClient, uniqueId } from '../support/temporal';

const prefix = uniqueId('webhook-kept');
let redis: Redis;
let temporal: Awaited<ReturnType<typeof temporalClient>>;
let registry: SubscriptionRegistry;
const made: string[] = [];

beforeAll(async () => {
  temporal = await temporalClient();
  redis = new Redis(stackEnv().REDIS_URL!);
  registry = new SubscriptionRegistry(temporal.client);
});
afterAll(async () => {
  for (const id of made) await registry.withdraw(id, 'test').catch(() => undefined);
  await redis?.quit();
  await temporal?.close();
});

/** Redis "comes back empty" for this test's prefix: every key of it is gone. */
async function wipeRedis(): Promise<number> {
  let cursor = '0';
  let gone = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) gone += await redis.del(...keys);
  } while (cursor !== '0');
  return gone;
}

/** Until visibility lists what Temporal recorded (it is eventually consistent). */
const visible = (ids: string[]) => eventually(async () => {
  const kept = new Set((await registry.all()).map((s) => (s as { id: string }).id));
  return ids.every((id) => kept.has(id)) || undefined;
}, `subscriptions ${ids.join(', ')} listed from Temporal`);

describe('webhook subscriptions kept in Temporal', () => {
  it('come back to an empty Redis, for the list and for emitted events; a removed one does not', async () => {
    const subscriptions = new WebhookSubscriptions(redis, { prefix, registry });
    const acme = await subscriptions.create({ client: 'acme-health', url: 'https://hooks.example/acme', eventTypes: ['run.failed', 'task.sla-breached'] }, 'sam.rivera');
    const globex = await subscriptions.create({ client: 'globex-insurance', url: 'https://hooks.example/globex', eventTypes: ['run.failed'] }, 'sam.rivera');
    const dropped = await subscriptions.create({ client: 'acme-health', url: 'https://hooks.example/old', eventTypes: ['run.failed'] }, 'sam.rivera');
    made.push(acme.id, globex.id, dropped.id);
    expect(await subscriptions.remove(dropped, 'sam.rivera')).toBe(true);
    const record = await temporal.client.workflow.getHandle(subscriptionRunId(dropped.id)).describe();
    expect(record.status.name).toBe('TERMINATED');
    await visible([acme.id, globex.id]);

    expect(await wipeRedis()).toBeGreaterThan(0);
    // A fresh process (an API or worker started after the wipe) and this one both see them again.
    const fresh = new WebhookSubscriptions(redis, { prefix, registry });
    expect((await fresh.list(['acme-health', 'globex-insurance'])).map((s) => s.id).sort()).toEqual([acme.id, globex.id].sort());
    expect(await subscriptions.get(acme.id)).toEqual(acme);
    expect(await subscriptions.get(dropped.id)).toBeUndefined();

    // The emit path after another wipe: the event is queued for the kept subscription, once.
    await wipeRedis();
    const queued: Array<{ event: TandemEvent; to: string[] }> = [];
    const deliveries = { enqueue: async (event: TandemEvent, to: Array<{ id: string }>) => void queued.push({ event, to: to.map((s) => s.id) }) } as unknown as DeliveryQueue;
    const { emitEvent } = createNotificationActivities({ subscriptions: new WebhookSubscriptions(redis, { prefix, registry }), deliveries });
    const runId = uniqueId('claim-review');
    await emitEvent({ id: `${runId}:task.sla-breached:0`, type: 'task.sla-breached', client: 'acme-health', process: 'claim-review', runId, at: new Date().toISOString(), data: {} });
    expect(queued.map((q) => q.to)).toEqual([[acme.id]]);
  });

  it('records a subscription that only Redis held (made before they were kept in Temporal)', async () => {
    await wipeRedis();
    const redisOnly = new WebhookSubscriptions(redis, { prefix });
    const old = await redisOnly.create({ client: 'acme-health', url: 'https://hooks.example/legacy', eventTypes: ['run.failed'] }, 'omar.haddad');
    made.push(old.id);
    await expect(temporal.client.workflow.getHandle(subscriptionRunId(old.id)).describe()).rejects.toThrow();

    const kept = new WebhookSubscriptions(redis, { prefix, registry });
    expect((await kept.list(['acme-health'])).map((s) => s.id)).toContain(old.id);
    expect((await temporal.client.workflow.getHandle(subscriptionRunId(old.id)).describe()).status.name).toBe('RUNNING');
    await visible([old.id]);
    await wipeRedis();
    expect(await new WebhookSubscriptions(redis, { prefix, registry }).get(old.id)).toEqual(old);
  });
});
