// Delivers queued webhooks: POSTs the event, signed, to the subscription's URL. A 2xx is success;
// anything else throws so BullMQ retries with the job's backoff. Delivery is at least once: a
// notifier killed between the receiver's 2xx and BullMQ's bookkeeping sends that job again, so
// receivers dedupe on x-tandem-delivery.
import { isRedisOutage } from '../platform/dependencies/redis-guard';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DELIVERY_QUEUE } from './delivery-options';
import type { AttemptRecord, DeliveryJob, DeliveryJobData, DeliveryResult } from './delivery-queue';
import { ReceiverRefused, ReceiverUnreachable } from './delivery-errors';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, deriveSecret, signatureOf } from './signing';
import type { WebhookSubscriptions } from './subscriptions';
import type { WebhookMetrics } from '../platform/metrics/webhook-metrics';

export interface DeliveryWorkerOptions {
  /** The installation's Redis prefix (the queue's keys live under it). */
  prefix: string;
  /** The webhook master key the signing secrets derive from. */
  masterKey: string;
  /** Deliveries in flight at once. Default 8. */
  concurrency?: number;
  /** How long one attempt waits for the receiver's answer, in ms. Default 10 000. */
  timeoutMs?: number;
  /** Start taking jobs at once. Default true. */
  autorun?: boolean;
  log?: Logger;
  /** Counts each attempt by event type and outcome, and times the receiver's answer. */
  metrics?: Pick<WebhookMetrics, 'attempted'>;
}

const USER_AGENT = 'Tandem-Webhooks/1';

function unreachableReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export class WebhookDeliveryWorker {
  readonly bull: Worker<DeliveryJobData, DeliveryResult>;
  private readonly timeoutMs: number;

  constructor(
    connection: Redis,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.bull = new Worker<DeliveryJobData, DeliveryResult>(DELIVERY_QUEUE, (job, _token, signal) => this.deliver(job, signal), {
      connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 8,
      autorun: options.autorun ?? true,
    });
    const log = options.log;
    // Without an 'error' listener an EventEmitter error would crash the process; Redis blips are retried by BullMQ.
    // An outage is logged once by the notifier's Redis circuit (workers/dependency-watch.ts), not per retry.
    this.bull.on('error', (err) => {
      if (!isRedisOutage(err)) log?.warn({ err }, 'webhook queue error');
    });
    this.bull.on('completed', (job, result) => log?.info({ ...this.logFields(job), result }, 'webhook delivered'));
    this.bull.on('failed', (job, err) => {
      if (!job) return;
      const dead = job.attemptsMade >= (job.opts.attempts ?? 1);
      log?.[dead ? 'error' : 'warn']({ ...this.logFields(job), error: err.message, deadLetter: dead }, dead ? 'webhook dead-lettered' : 'webhook attempt failed');
    });
  }

  /** Resolves once the worker's Redis connections are up. */
  async waitUntilReady(): Promise<void> {
    await this.bull.waitUntilReady();
  }

  /** Waits for deliveries in flight, then stops. */
  async close(): Promise<void> {
    await this.bull.close();
  }

  async deliver(job: DeliveryJob, signal?: AbortSignal): Promise<DeliveryResult> {
    const subscription = await this.subscriptions.get(job.data.subscriptionId);
    if (!subscription) return { outcome: 'skipped', reason: 'subscription deleted' };
    const body = JSON.stringify(job.data.event);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      [EVENT_HEADER]: job.data.event.type,
      [DELIVERY_HEADER]: job.id!,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signatureOf(deriveSecret(this.options.masterKey, subscription.id), timestamp, body),
    };
    const attempt = job.attemptsMade + 1;
    const started = performance.now();
    const observe = (delivered: boolean) => {
      const outcome = delivered ? 'delivered' : attempt >= (job.opts.attempts ?? 1) ? 'dead_lettered' : 'retrying';
      this.options.metrics?.attempted(job.data.event.type, outcome, (performance.now() - started) / 1000);
    };
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      response = await fetch(subscription.url, {
        method: 'POST',
        headers,
        body,
        // A redirect is not followed: the receiver must give its final URL.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (err) {
      observe(false);
      const error = new ReceiverUnreachable(unreachableReason(err, this.timeoutMs));
      await this.record(job, { attempt, at: new Date().toISOString(), error: error.message });
      throw error;
    }
    await response.body?.cancel().catch(() => undefined);
    const delivered = response.status >= 200 && response.status <= 299;
    observe(delivered);
    await this.record(job, { attempt, at: new Date().toISOString(), status: response.status });
    if (!delivered) throw new ReceiverRefused(response.status);
    return { outcome: 'delivered', status: response.status };
  }

  /** The attempt log is for people; losing a line must not fail (and so repeat) a delivery. */
  private async record(job: DeliveryJob, record: AttemptRecord): Promise<void> {
    await job.log(JSON.stringify(record)).catch((err: unknown) => this.options.log?.warn({ err, delivery: job.id }, 'attempt log not written'));
  }

  private logFields(job: DeliveryJob) {
    return {
      delivery: job.id,
      eventId: job.data.event.id,
      eventType: job.data.event.type,
      client: job.data.client,
      runId: job.data.event.runId,
      taskId: job.data.event.taskId,
      subscriptionId: job.data.subscriptionId,
      attemptsMade: job.attemptsMade,
    };
  }
}
