// Webhook delivery on the real Redis and BullMQ: emitEvent queues, the notifier POSTs signed
// events to a receiver on 127.0.0.1; a receiver that is down for a while still gets each event
// exactly once, and one that never recovers leaves a dead letter that can be re-driven.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createNotifier, type Notifier } from '../../notifications/notifier';
import { deriveSecret, verifySignature } from '../../notifications/signing';
import type { WebhookSubscription } from '../../notifications/subscriptions';
import type { EventType, TandemEvent } from '../../workflows/engine/events';
import { eventually, stackEnv, uniqueId } from '../support/temporal';
import { Receiver } from './receiver';

const masterKey = randomBytes(32).toString('base64url');
let notifier: Notifier;
const receivers: Receiver[] = [];
const subscribed: WebhookSubscription[] = [];

beforeAll(async () => {
  // Small delays: attempts 100 ms, 200 ms, 400 ms… apart, no jitter, so the tests are quick and predictable.
  notifier = await createNotifier({
    redis: stackEnv().REDIS_URL!,
    prefix: uniqueId('webhooks'),
    masterKey,
    delivery: { attempts: 6, backoffMs: 100, backoffJitter: 0 },
    timeoutMs: 2_000,
  });
});
afterAll(async () => {
  await notifier?.close();
});
afterEach(async () => {
  // Each test's subscriptions go with it: a later event must not reach an earlier test's closed receiver.
  await Promise.all(subscribed.splice(0).map((s) => notifier.subscriptions.remove(s)));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(options: { listening?: boolean } = {}): Promise<Receiver> {
  const r = await Receiver.start(options);
  receivers.push(r);
  return r;
}

function event(type: EventType = 'task.sla-breached', client = 'acme-health'): TandemEvent {
  const runId = uniqueId('claim-review');
  return { id: `${runId}:${type}:${runId}.t1:0`, type, client, process: 'claim-review', runId, taskId: `${runId}.t1`, at: new Date().toISOString(), data: { team: 'claims-review', dueAt: '2030-01-01T06:00:00.000Z' } };
}

async function subscribe(url: string, eventTypes: EventType[] = ['task.sla-breached', 'run.sla-breached'], client = 'acme-health'): Promise<WebhookSubscription> {
  const subscription = await notifier.subscriptions.create({ client, url, eventTypes }, 'test');
  subscribed.push(subscription);
  return subscription;
}

/** Waits past a few retry delays, so a second delivery would have shown up. */
const settle = () => new Promise((r) => setTimeout(r, 800));

describe('webhook delivery', () => {
  it('delivers an event once, signed, with its headers', async () => {
    const r = await receiver();
    const subscription = await subscribe(r.url());
    const e = event();
    await notifier.activities.emitEvent(e);

    const [got] = await eventually(async () => r.delivered().length > 0 && r.delivered(), 'the delivery');
    expect(JSON.parse(got!.body)).toEqual(e);
    expect(got!.headers).toMatchObject({ 'content-type': 'application/json', 'x-tandem-event': 'task.sla-breached' });
    expect(got!.headers['x-tandem-delivery']).toMatch(new RegExp(`^${subscription.id}\\.[0-9a-f]{32}$`));
    const secret = notifier.secretOf(subscription.id);
    expect(secret).toBe(deriveSecret(masterKey, subscription.id));
    const timestamp = got!.headers['x-tandem-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(10);
    expect(verifySignature(secret, timestamp, got!.body, got!.headers['x-tandem-signature'] as string)).toBe(true);
    expect(verifySignature(deriveSecret(masterKey, 'whs_someoneelse0000'), timestamp, got!.body, got!.headers['x-tandem-signature'] as string)).toBe(false);

    await settle();
    expect(r.received()).toHaveLength(1);
    const delivery = await notifier.queue.get(got!.headers['x-tandem-delivery'] as string);
    expect(delivery).toMatchObject({ state: 'completed', attemptsMade: 1, result: { outcome: 'delivered', status: 200 }, event: { id: e.id } });
    expect(delivery!.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 200 })]);
  });

  it('keeps retrying a receiver that answers 503 twice, then delivers exactly once', async () => {
    const r = await receiver();
    r.answer = (n) => (n <= 2 ? 503 : 200);
    const subscription = await subscribe(r.url());
    const e = event('run.sla-breached');
    await notifier.activities.emitEvent(e);

    await eventually(async () => r.delivered().length === 1, 'the third attempt');
    await settle();
    expect(r.received().map((q) => q.status)).toEqual([503, 503, 200]);
    // Every attempt is signed afresh and carries the same delivery id.
    const secret = deriveSecret(masterKey, subscription.id);
    for (const q of r.received()) expect(verifySignature(secret, q.headers['x-tandem-timestamp'] as string, q.body, q.headers['x-tandem-signature'] as string)).toBe(true);
    expect(new Set(r.received().map((q) => q.headers['x-tandem-delivery'])).size).toBe(1);
    const delivery = await notifier.queue.get(r.received()[0]!.headers['x-tandem-delivery'] as string);
    expect(delivery?.attempts?.map((a) => a.status)).toEqual([503, 503, 200]);
  });

  it('delivers to a receiver that was not listening for the first attempts, once', async () => {
    const r = await receiver({ listening: false });
    await subscribe(r.url());
    const e = event();
    await notifier.activities.emitEvent(e);

    const [id] = await eventually(async () => {
      const { deliveries } = await notifier.queue.list({ state: 'delayed', clients: ['acme-health'], limit: 50 });
      const mine = deliveries.filter((d) => d.event.id === e.id && d.attemptsMade >= 2);
      return mine.length > 0 && mine.map((d) => d.id);
    }, 'two refused attempts');
    await r.listen();
    await eventually(async () => r.delivered().length === 1, 'the delivery once the receiver is up', 15_000);
    await settle();
    expect(r.received()).toHaveLength(1);
    const delivery = await notifier.queue.get(id!);
    expect(delivery).toMatchObject({ state: 'completed', result: { outcome: 'delivered' } });
    expect(delivery!.attempts!.slice(0, 2).every((a) => /unreachable: ECONNREFUSED/.test(a.error ?? ''))).toBe(true);
  });

  it('queues an event emitted twice (a retried activity) once', async () => {
    const r = await receiver();
    await subscribe(r.url());
    const e = event();
    await Promise.all([notifier.activities.emitEvent(e), notifier.activities.emitEvent(e)]);
    await notifier.activities.emitEvent({ ...e });
    await eventually(async () => r.delivered().length > 0, 'the delivery');
    await settle();
    await notifier.activities.emitEvent(e); // after delivery too: the completed job still holds the id
    await settle();
    expect(r.received()).toHaveLength(1);
  });

  it('dead-letters a delivery whose receiver never recovers, and delivers it once when re-driven', async () => {
    const r = await receiver();
    r.answer = () => 500;
    const subscription = await subscribe(r.url());
    const e = event();
    await notifier.activities.emitEvent(e);

    const dead = await eventually(async () => {
      const { deliveries } = await notifier.queue.list({ state: 'failed', clients: ['acme-health'], limit: 200 });
      return deliveries.find((d) => d.event.id === e.id && d.subscriptionId === subscription.id);
    }, 'the dead letter');
    expect(dead).toMatchObject({ attemptsMade: 6, maxAttempts: 6, lastError: 'receiver answered HTTP 500', client: 'acme-health' });
    expect(r.received()).toHaveLength(6);

    r.answer = () => 200; // the receiver is fixed
    expect(await notifier.queue.redrive(dead.id)).toBe('redriven');
    await eventually(async () => r.delivered().length === 1, 'the re-driven delivery');
    await settle();
    expect(r.delivered()).toHaveLength(1);
    expect(await notifier.queue.get(dead.id)).toMatchObject({ state: 'completed', result: { outcome: 'delivered' } });
    expect(await notifier.queue.redrive(dead.id)).toBe('not-failed');
    const { deliveries: stillFailed } = await notifier.queue.list({ state: 'failed', clients: ['acme-health'], limit: 200 });
    expect(stillFailed.some((d) => d.id === dead.id)).toBe(false);
  });

  it('sends an event only to its own client’s subscriptions for its type', async () => {
    const r = await receiver();
    await subscribe(r.url('/acme'), ['task.sla-breached'], 'acme-health');
    await subscribe(r.url('/acme-other-type'), ['run.failed'], 'acme-health');
    await subscribe(r.url('/globex'), ['task.sla-breached'], 'globex-insurance');
    await notifier.activities.emitEvent(event('task.sla-breached', 'acme-health'));

    await eventually(async () => r.delivered('/acme').length === 1, 'acme’s delivery');
    await settle();
    expect(r.received('/globex')).toHaveLength(0);
    expect(r.received('/acme-other-type')).toHaveLength(0);
    const { deliveries } = await notifier.queue.list({ state: 'completed', clients: ['globex-insurance'], limit: 200 });
    expect(deliveries).toHaveLength(0);
  });

  it('skips what is still queued for a subscription removed in the meantime', async () => {
    const r = await receiver({ listening: false });
    const subscription = await subscribe(r.url());
    const e = event();
    await notifier.activities.emitEvent(e);
    await eventually(async () => (await notifier.queue.list({ state: 'delayed', clients: ['acme-health'], limit: 200 })).deliveries.some((d) => d.event.id === e.id), 'a refused attempt');
    await notifier.subscriptions.remove(subscription);
    await r.listen();
    const skipped = await eventually(async () => {
      const { deliveries } = await notifier.queue.list({ state: 'completed', clients: ['acme-health'], limit: 200 });
      return deliveries.find((d) => d.event.id === e.id);
    }, 'the skipped delivery');
    expect(skipped.result).toEqual({ outcome: 'skipped', reason: 'subscription deleted' });
    expect(r.received()).toHaveLength(0);
  });
});
