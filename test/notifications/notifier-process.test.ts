// The notifier as its own process (workers/notifier.ts), configured by env like the demo starts it:
// it delivers what the orchestration side queued, and a TERM lets the delivery in flight finish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { createNotificationActivities } from '../../activities/notifications';
import { DeliveryQueue } from '../../notifications/delivery-queue';
import { WebhookSubscriptions } from '../../notifications/subscriptions';
import { deriveSecret, verifySignature } from '../../notifications/signing';
import { eventually, stackEnv, uniqueId } from '../support/temporal';
import { Receiver } from './receiver';

const prefix = uniqueId('notifier-process');
const key = randomBytes(32).toString('base64url');
let redis: Redis;
let receiver: Receiver;
let deliveries: DeliveryQueue;

beforeAll(async () => {
  redis = new Redis(stackEnv().REDIS_URL!, { maxRetriesPerRequest: 3 });
  receiver = await Receiver.start();
  deliveries = new DeliveryQueue(redis, { prefix, attempts: 4, backoffMs: 100, backoffJitter: 0 });
});
afterAll(async () => {
  await deliveries?.close();
  await receiver?.close();
  await redis?.quit();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startNotifier(metricsPort: number): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/notifier.ts'], {
    env: {
      ...process.env,
      ...stackEnv(),
      TANDEM_REDIS_PREFIX: prefix,
      TANDEM_WEBHOOK_KEY: key,
      TANDEM_NOTIFIER_METRICS_PORT: String(metricsPort),
      TANDEM_METRICS_HOST: '127.0.0.1',
      TANDEM_METRICS_TOKEN: '',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log: () => output, exited };
}

describe('the notifier process', () => {
  it('delivers queued events signed with the configured key, and drains on SIGTERM', async () => {
    const metricsPort = await freePort();
    const notifier = startNotifier(metricsPort);
    try {
      await eventually(async () => /notifier started/.test(notifier.log()), 'notifier started', 60_000);
      const subscriptions = new WebhookSubscriptions(redis, { prefix });
      const subscription = await subscriptions.create({ client: 'acme-health', url: receiver.url(), eventTypes: ['run.failed'] }, 'test');
      const { emitEvent } = createNotificationActivities({ subscriptions, deliveries });
      const runId = uniqueId('claim-review');
      await emitEvent({ id: `${runId}:run.failed:0`, type: 'run.failed', client: 'acme-health', process: 'claim-review', runId, at: new Date().toISOString(), data: { reason: 'bot gave up' } });

      const got = await eventually(async () => receiver.delivered()[0], 'the delivery');
      expect(verifySignature(deriveSecret(key, subscription.id), got.headers['x-tandem-timestamp'] as string, got.body, got.headers['x-tandem-signature'] as string)).toBe(true);

      const metrics = await eventually(async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return /tandem_webhook_deliveries_total\{event="run.failed",outcome="delivered"\} 1\b/.test(text) && text;
      }, 'the delivery counted');
      expect(metrics).toMatch(/tandem_webhook_delivery_duration_seconds_count\{event="run.failed"\} 1\b/);

      // A slow receiver: TERM arrives while the POST is in flight; the notifier waits for its answer.
      receiver.delayMs = 1_500;
      const second = { id: `${runId}:run.failed:1`, type: 'run.failed' as const, client: 'acme-health', process: 'claim-review', runId, at: new Date().toISOString(), data: {} };
      await emitEvent(second);
      await eventually(async () => receiver.received().length === 2, 'the second POST arriving');
      notifier.child.kill('SIGTERM');
      expect(await notifier.exited).toBe(0);
      expect(notifier.log()).toMatch(/notifier stopped/);
      const { deliveries: done } = await deliveries.list({ state: 'completed', clients: ['acme-health'], limit: 10 });
      expect(done.find((d) => d.event.id === second.id)).toMatchObject({ result: { outcome: 'delivered', status: 200 }, attemptsMade: 1 });
      expect(notifier.log()).not.toContain(key);
      expect(notifier.log()).not.toContain(deriveSecret(key, subscription.id));
    } finally {
      if (notifier.child.exitCode === null) notifier.child.kill('SIGKILL');
    }
  });
});
