// The webhook delivery queue (BullMQ): one job per event and subscription, retried with backoff by
// the notifier; a job that fails its last attempt stays in the failed set, which is the dead-letter
// list the API shows and re-drives. The BullMQ queue connects on first use, so building the API
// (or its OpenAPI document) touches no Redis.
import { createHash } from 'node:crypto';
import { Queue, type Job, type JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { TandemEvent } from '../workflows/engine/events';
import { DEFAULT_DELIVERY_OPTIONS, DELIVERY_QUEUE, type DeliveryOptions } from './delivery-options';
import type { WebhookSubscription } from './subscriptions';

export interface DeliveryJobData {
  event: TandemEvent;
  subscriptionId: string;
  /** The event's client, so listings can be scoped without reading the subscription. */
  client: string;
}

export interface DeliveryResult {
  outcome: 'delivered' | 'skipped';
  /** The receiver's HTTP status when delivered; why when skipped. */
  status?: number;
  reason?: string;
}

/** One line of a delivery's attempt log (BullMQ job logs, JSON). */
export interface AttemptRecord {
  attempt: number;
  at: string;
  status?: number;
  error?: string;
}

export type DeliveryJob = Job<DeliveryJobData, DeliveryResult>;

export const DELIVERY_STATES = ['failed', 'completed', 'waiting', 'delayed', 'active'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const DeliveryId = z
  .string()
  .regex(/^whs_[A-Za-z0-9_-]{16}\.[0-9a-f]{32}$/, 'Not a webhook delivery id')
  .describe('Delivery id, as sent in x-tandem-delivery: `<subscriptionId>.<hash of the event id>`');

const Iso = z.string().describe('ISO 8601 timestamp');
export const DeliveryView = z.object({
  id: DeliveryId,
  state: z.string().describe('failed (a dead letter once its attempts are spent), completed, waiting, delayed (between attempts), active'),
  client: z.string(),
  subscriptionId: z.string(),
  event: z.object({ id: z.string(), type: z.string(), client: z.string(), process: z.string(), runId: z.string(), taskId: z.string().optional(), at: z.string(), data: z.record(z.string(), z.unknown()) }),
  attemptsMade: z.number().int(),
  maxAttempts: z.number().int(),
  lastError: z.string().optional(),
  result: z.object({ outcome: z.enum(['delivered', 'skipped']), status: z.number().int().optional(), reason: z.string().optional() }).optional(),
  createdAt: Iso,
  lastAttemptAt: Iso.optional(),
  finishedAt: Iso.optional(),
  attempts: z.array(z.object({ attempt: z.number().int(), at: Iso, status: z.number().int().optional(), error: z.string().optional() })).optional(),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

/**
 * Stable per event and subscription, so a retried activity or a replay never queues it twice.
 * Not `<eventId>:<subscriptionId>`: BullMQ refuses custom ids with colons, which event ids have.
 */
export function deliveryId(eventId: string, subscriptionId: string): string {
  return `${subscriptionId}.${createHash('sha256').update(eventId).digest('hex').slice(0, 32)}`;
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

export class DeliveryQueue {
  private queue?: Queue<DeliveryJobData, DeliveryResult>;
  readonly options: DeliveryOptions;

  constructor(
    private readonly redis: Redis,
    private readonly settings: { prefix: string } & Partial<DeliveryOptions>,
  ) {
    this.options = { ...DEFAULT_DELIVERY_OPTIONS, ...settings };
  }

  /** The BullMQ queue itself (connects on first use). */
  get bull(): Queue<DeliveryJobData, DeliveryResult> {
    this.queue ??= new Queue<DeliveryJobData, DeliveryResult>(DELIVERY_QUEUE, { connection: this.redis, prefix: this.settings.prefix });
    return this.queue;
  }

  /** Queues the event for each subscription; an id already queued (or delivered lately) is left alone. */
  async enqueue(event: TandemEvent, subscriptions: readonly WebhookSubscription[]): Promise<string[]> {
    const { attempts, backoffMs, backoffJitter, keepCompletedSeconds, keepCompletedCount } = this.options;
    const jobs = subscriptions.map((subscription) => ({
      name: event.type,
      data: { event, subscriptionId: subscription.id, client: event.client },
      opts: {
        jobId: deliveryId(event.id, subscription.id),
        attempts,
        backoff: { type: 'exponential', delay: backoffMs, jitter: backoffJitter },
        removeOnComplete: { age: keepCompletedSeconds, count: keepCompletedCount },
        // Failed jobs are the dead letters: kept until someone re-drives or removes them.
        removeOnFail: false,
        keepLogs: attempts + 10,
      },
    }));
    if (jobs.length > 0) await this.bull.addBulk(jobs);
    return jobs.map((job) => job.opts.jobId);
  }

  /** Newest first, only jobs of `clients`, scanning at most `scanLimit` jobs of that state. */
  async list(filter: { state: DeliveryState; clients: readonly string[]; limit: number; scanLimit?: number }): Promise<{ deliveries: DeliveryView[]; truncated: boolean }> {
    const { state, clients, limit, scanLimit = 5000 } = filter;
    const page = 200;
    const deliveries: DeliveryView[] = [];
    if (clients.length === 0) return { deliveries, truncated: false };
    for (let start = 0; start < scanLimit; start += page) {
      const jobs = await this.bull.getJobs([state as JobType], start, start + page - 1, false);
      for (const job of jobs) {
        if (!job?.data || !clients.includes(job.data.client)) continue;
        if (deliveries.length === limit) return { deliveries, truncated: true };
        deliveries.push(this.view(job, state));
      }
      if (jobs.length < page) return { deliveries, truncated: false };
    }
    return { deliveries, truncated: true };
  }

  /** With its attempt log. */
  async get(id: string): Promise<DeliveryView | undefined> {
    const job = await this.bull.getJob(id);
    if (!job?.data) return undefined;
    const [state, logs] = await Promise.all([job.getState(), this.bull.getJobLogs(id, 0, -1, true)]);
    const attempts = logs.logs.flatMap((line) => {
      try {
        return [JSON.parse(line) as AttemptRecord];
      } catch {
        return [];
      }
    });
    return { ...this.view(job, state), attempts };
  }

  /** Sends a dead letter again with a fresh set of attempts. */
  async redrive(id: string): Promise<'redriven' | 'not-found' | 'not-failed'> {
    const job = await this.bull.getJob(id);
    if (!job?.data) return 'not-found';
    if ((await job.getState()) !== 'failed') return 'not-failed';
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return 'redriven';
  }

  async close(): Promise<void> {
    await this.queue?.close();
  }

  private view(job: DeliveryJob, state: string): DeliveryView {
    return {
      id: job.id!,
      state,
      client: job.data.client,
      subscriptionId: job.data.subscriptionId,
      event: job.data.event,
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      lastError: job.failedReason || undefined,
      result: job.returnvalue ?? undefined,
      createdAt: iso(job.timestamp)!,
      lastAttemptAt: iso(job.processedOn),
      finishedAt: iso(job.finishedOn),
    };
  }
}
