// Webhook subscriptions: which URL hears which events of which client. Kept for good in Temporal
// (subscription-registry.ts), mirrored in Redis as one hash per subscription and one set of ids per
// client, and refilled from Temporal when Redis comes back empty. The signing secret is never
// stored (see signing.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ClientId } from '../workflows/engine/common-schemas';
import { EVENT_TYPES, type EventType } from '../workflows/engine/events';
import type { SubscriptionRegistry } from './subscription-registry';

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

export interface WebhookSubscriptionsOptions {
  prefix: string;
  /** Where subscriptions are kept for good. Without it Redis alone holds them (the notifier, which
   *  only reads them, and tests of the delivery path). */
  registry?: SubscriptionRegistry;
}

export class WebhookSubscriptions {
  private refilling?: Promise<void>;

  constructor(
    readonly redis: Redis,
    private readonly options: WebhookSubscriptionsOptions,
  ) {}

  /** Set once Redis holds every kept subscription; an empty Redis lacks it, and is refilled. */
  private get mirroredKey(): string {
    return `${this.options.prefix}:webhooks:mirrored`;
  }

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
    // Kept first: a subscription Redis shows is one Temporal has.
    await this.options.registry?.record(subscription);
    await this.mirror([subscription]).exec();
    return subscription;
  }

  async get(id: string): Promise<WebhookSubscription | undefined> {
    await this.mirrored();
    return this.parse(await this.redis.hgetall(this.key(id)));
  }

  /** Every subscription of these clients, oldest first. */
  async list(clients: readonly string[]): Promise<WebhookSubscription[]> {
    await this.mirrored();
    const ids = (await Promise.all(clients.map((client) => this.redis.smembers(this.clientKey(client))))).flat();
    const found = await this.getMany(ids);
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** The subscriptions that hear this event. */
  async forEvent(client: string, type: EventType): Promise<WebhookSubscription[]> {
    return (await this.list([client])).filter((s) => s.eventTypes.includes(type));
  }

  /** True if it existed. Deliveries still queued for it are skipped when their turn comes. */
  async remove(subscription: WebhookSubscription, by = 'system'): Promise<boolean> {
    await this.options.registry?.withdraw(subscription.id, by);
    const results = await this.redis.multi().del(this.key(subscription.id)).srem(this.clientKey(subscription.client), subscription.id).exec();
    return results?.[0]?.[1] === 1;
  }

  private mirror(subscriptions: readonly WebhookSubscription[]) {
    const multi = this.redis.multi();
    for (const s of subscriptions) {
      multi.hset(this.key(s.id), { ...s, eventTypes: JSON.stringify(s.eventTypes) }).sadd(this.clientKey(s.client), s.id);
    }
    return multi;
  }

  /** Refills an empty Redis from Temporal, once at a time per process. */
  private async mirrored(): Promise<void> {
    const registry = this.options.registry;
    if (!registry || (await this.redis.exists(this.mirroredKey))) return;
    this.refilling ??= this.refill(registry).finally(() => (this.refilling = undefined));
    await this.refilling;
  }

  private async refill(registry: SubscriptionRegistry): Promise<void> {
    const kept = (await registry.all()).flatMap((raw) => {
      const parsed = WebhookSubscription.safeParse(raw);
      return parsed.success ? [parsed.data] : [];
    });
    // What Redis holds and Temporal does not (made before subscriptions were kept there, or too
    // new for visibility): recorded now, which changes nothing for one already recorded.
    const keptIds = new Set(kept.map((s) => s.id));
    for (const id of await this.idsInRedis()) {
      if (keptIds.has(id)) continue;
      const local = this.parse(await this.redis.hgetall(this.key(id)));
      if (local) await registry.record(local);
    }
    await this.mirror(kept).set(this.mirroredKey, new Date().toISOString()).exec();
  }

  private async idsInRedis(): Promise<string[]> {
    const head = this.key('');
    const ids: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${head}*`, 'COUNT', 500);
      cursor = next;
      ids.push(...keys.map((k) => k.slice(head.length)));
    } while (cursor !== '0');
    return ids;
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
