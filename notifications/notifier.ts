// Everything webhooks need in one call: the subscription store, the delivery queue, the delivery
// worker and the emitEvent activity, on one Redis. workers/notifier.ts runs it as a process;
// tests start it in-process.
import { Redis } from 'ioredis';
import type { TlsFiles } from '../platform/config';
import { redisOptions } from '../platform/tls';
import type { Logger } from 'pino';
import type { NotificationActivities } from '../contract/activities';
import { createNotificationActivities } from './emit-event';
import type { DeliveryOptions } from './delivery-options';
import { DeliveryQueue } from './delivery-queue';
import { WebhookDeliveryWorker } from './delivery-worker';
import { WebhookSubscriptions } from './subscriptions';
import { deriveSecret } from './signing';
import type { WebhookMetrics } from '../platform/metrics/webhook-metrics';

export interface NotifierOptions {
  /** A Redis URL (the notifier opens and closes its own connections), or a connection to share
   *  (left open by close(); the worker's blocking reads get a duplicate of it). */
  redis: string | Redis;
  /** TLS files for the connection a URL makes (platform/tls.ts); none = plain. */
  redisTls?: TlsFiles;
  /** The installation's Redis prefix (TANDEM_REDIS_PREFIX); tests give each a fresh one. */
  prefix: string;
  /** The webhook master key (see webhook-key.ts); the API must use the same. */
  masterKey: string;
  /** Attempts and backoff of what emitEvent queues. Defaults in delivery-options.ts. */
  delivery?: Partial<DeliveryOptions>;
  /** Deliveries in flight at once. Default 8. */
  concurrency?: number;
  /** Per attempt, in ms. Default 10 000. */
  timeoutMs?: number;
  log?: Logger;
  /** Where each attempt is counted (tandem_webhook_deliveries_total and its duration). */
  metrics?: Pick<WebhookMetrics, 'attempted'>;
}

export interface Notifier {
  subscriptions: WebhookSubscriptions;
  queue: DeliveryQueue;
  worker: WebhookDeliveryWorker;
  /** emitEvent, for an orchestration worker in the same process (tests). */
  activities: NotificationActivities;
  /** A subscription's signing secret, as the API showed it at creation (tests verify with it). */
  secretOf(subscriptionId: string): string;
  /** Waits for deliveries in flight, then closes everything it opened. Idempotent. */
  close(): Promise<void>;
}

export async function createNotifier(options: NotifierOptions): Promise<Notifier> {
  const owned: Redis[] = [];
  const commands = typeof options.redis === 'string' ? new Redis(options.redis, redisOptions({ tls: options.redisTls }, { maxRetriesPerRequest: 3 })) : options.redis;
  if (typeof options.redis === 'string') owned.push(commands);
  // BullMQ's workers need connections that wait out a Redis restart instead of failing commands.
  const workerConnection = commands.duplicate({ maxRetriesPerRequest: null });
  owned.push(workerConnection);

  const subscriptions = new WebhookSubscriptions(commands, { prefix: options.prefix });
  const queue = new DeliveryQueue(commands, { prefix: options.prefix, ...options.delivery });
  const worker = new WebhookDeliveryWorker(workerConnection, subscriptions, {
    prefix: options.prefix,
    masterKey: options.masterKey,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    log: options.log,
    metrics: options.metrics,
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const steps: Array<() => Promise<unknown>> = [() => worker.close(), () => queue.close(), ...owned.map((redis) => () => redis.quit())];
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          options.log?.warn({ err }, 'notifier cleanup step failed');
        }
      }
    })());
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await close();
    throw err;
  }
  return {
    subscriptions,
    queue,
    worker,
    activities: createNotificationActivities({ subscriptions, deliveries: queue }),
    secretOf: (subscriptionId) => deriveSecret(options.masterKey, subscriptionId),
    close,
  };
}
