// Webhook subscriptions: which URL hears which events of which client. One Redis hash per
// subscription and one set of ids per client; the signing secret is never stored (see signing.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ClientId } from '../workflows/engine/common-schemas';
import { EVENT_TYPES, type EventType } from '../workflows/engine/events';

export const SubscriptionId = z
  .string()
  .regex(/^whs_[A-Za-z0-9_-]{16}$/, 'Not a webhook subscription id')
  .describe('Webhook subscription id, e.g. whs_3q2-7wXb0aLk9pQz');

// No check against private or loopback addresses here: whether Tandem may reach an address is the
// deployment's egress policy (a firewall or proxy), which knows the network; a list in code does not.
export const WebhookUrl = z
  .url({ protocol: /^https?$/, error: 'An http(s) URL' })
  .max(2048)
  .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), 'No user name or password in the URL: deliveries are authenticated by their signature')
  .describe('Where events are POSTed (http or https)');

export const NewWebhookSubscription = z.object({
  client: ClientId,
  url: WebhookUrl,
  eventTypes: z
    .array(z.enum(EVENT_TYPES))
    .min(1)
    .max(EVENT_TYPES.length)
    .transform((types) => [...new Set(types)])
    .describe('The event types this URL hears'),
  description: z.string().trim().min(1).max(200).optional(),
});
export type NewWebhookSubscription = z.infer<typeof NewWebhookSubscription>;

export const WebhookSubscription = z.object({
  id: SubscriptionId,
  client: z.string(),
  url: z.string(),
  eventTypes: z.array(z.enum(EVENT_TYPES)),
  description: z.string().optional(),
  createdAt: z.string().describe('ISO 8601 timestamp'),
  createdBy: z.string(),
});
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;

export class WebhookSubscriptions {
  constructor(
    readonly redis: Redis,
    private readonly options: { prefix: string },
  ) {}

  private key(id: string): string {
    return `${this.options.prefix}:webhooks:subscription:${id}`;
  }

  private clientKey(client: string): string {
    return `${this.options.prefix}:webhooks:client:${client}`;
  }

  async create(input: NewWebhookSubscription, createdBy: string, now = new Date()): Promise<WebhookSubscription> {
    const subscription: WebhookSubscription = {
      id: `whs_${randomBytes(12).toString('base64url')}`,
      client: input.client,
      url: input.url,
      eventTypes: input.eventTypes,
      ...(input.description ? { description: input.description } : {}),
      createdAt: now.toISOString(),
      createdBy,
    };
    await this.redis
      .multi()
      .hset(this.key(subscription.id), { ...subscription, eventTypes: JSON.stringify(subscription.eventTypes) })
      .sadd(this.clientKey(subscription.client), subscription.id)
      .exec();
    return subscription;
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    return this.parse(await this.redis.hgetall(this.key(id)));
  }

  /** Every subscription of these clients, oldest first. */
  async list(clients: readonly string[]): Promise<WebhookSubscription[]> {
    const ids = (await Promise.all(clients.map((client) => this.redis.smembers(this.clientKey(client))))).flat();
    const found = await this.getMany(ids);
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** The subscriptions that hear this event. */
  async forEvent(client: string, type: EventType): Promise<WebhookSubscription[]> {
    return (await this.list([client])).filter((s) => s.eventTypes.includes(type));
  }

  /** True if it existed. Deliveries still queued for it are skipped when their turn comes. */
  async remove(subscription: WebhookSubscription): Promise<boolean> {
    const results = await this.redis.multi().del(this.key(subscription.id)).srem(this.clientKey(subscription.client), subscription.id).exec();
    return results?.[0]?.[1] === 1;
  }

  private async getMany(ids: readonly string[]): Promise<WebhookSubscription[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key(id));
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([err, hash]) => {
      if (err) throw err;
      const subscription = this.parse(hash as Record<string, string>);
      return subscription ? [subscription] : [];
    });
  }

  private parse(hash: Record<string, string>): WebhookSubscription | undefined {
    if (!hash.id) return undefined;
    // A type since dropped from EVENT_TYPES is ignored rather than breaking every emit for the client.
    const eventTypes = (JSON.parse(hash.eventTypes ?? '[]') as string[]).filter((t): t is EventType => (EVENT_TYPES as readonly string[]).includes(t));
    return WebhookSubscription.parse({ ...hash, eventTypes });
  }
}
