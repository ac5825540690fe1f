// Webhooks: subscriptions per client and event type, and their deliveries — dead letters included,
// which can be re-driven. Everything is scoped to the caller's clients; another client's
// subscription or delivery answers 404, as a missing one does.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ClientId } from '../../workflows/engine/common-schemas';
import { DELIVERY_STATES, DeliveryId, DeliveryView, type DeliveryQueue } from '../../notifications/delivery-queue';
import { NewWebhookSubscription, SubscriptionId, WebhookSubscription, type WebhookSubscriptions } from '../../notifications/subscriptions';
import { deriveSecret } from '../../notifications/signing';
import { WEBHOOK_MANAGERS } from '../auth/route-roles';
import { problems } from '../problems';
import { withProblems } from './responses';

export interface WebhookRoutesOptions {
  subscriptions: WebhookSubscriptions;
  deliveries: DeliveryQueue;
  /** The master key the signing secrets derive from; read only when a subscription is created. */
  masterKey: () => string;
}

const CreatedSubscription = WebhookSubscription.extend({
  secret: z.string().describe('The signing secret: shown in this reply only. Verify x-tandem-signature with it.'),
});
const SubscriptionParams = z.object({ id: SubscriptionId });
const DeliveryParams = z.object({ id: DeliveryId });
const auth = { auth: { roles: WEBHOOK_MANAGERS } };
const tags = ['webhooks'];

export const webhookRoutes: FastifyPluginAsyncZod<WebhookRoutesOptions> = async (app, { subscriptions, deliveries, masterKey }) => {
  /** The caller's subscription, or 404 (also for another client's). */
  const subscriptionInScope = async (id: string, clients: readonly string[]) => {
    const subscription = await subscriptions.get(id);
    if (!subscription || !clients.includes(subscription.client)) throw problems.notFound(`No webhook subscription ${id}`);
    return subscription;
  };
  const scopeOf = (clients: readonly string[], client?: string) => (client ? clients.filter((c) => c === client) : clients);

  app.post(
    '/webhooks/subscriptions',
    {
      config: auth,
      schema: {
        summary: 'Subscribe a URL to a client’s events; the reply holds the signing secret, shown only once',
        tags,
        body: NewWebhookSubscription,
        response: withProblems({ 201: CreatedSubscription }),
      },
    },
    async (request, reply) => {
      const principal = request.principal();
      if (!principal.clients.includes(request.body.client)) {
        throw problems.forbidden(`${principal.id} does not work for client ${request.body.client}`, { field: 'body.client' });
      }
      const key = masterKey(); // an unreadable key fails the request before anything is stored
      const subscription = await subscriptions.create(request.body, principal.id);
      request.touchClient(subscription.client);
      request.log.info({ subscriptionId: subscription.id, client: subscription.client, eventTypes: subscription.eventTypes }, 'webhook subscription created');
      return reply.code(201).header('location', `/webhooks/subscriptions/${subscription.id}`).send({ ...subscription, secret: deriveSecret(key, subscription.id) });
    },
  );

  app.get(
    '/webhooks/subscriptions',
    {
      config: auth,
      schema: {
        summary: 'The webhook subscriptions of the caller’s clients (secrets are never shown again)',
        tags,
        querystring: z.object({ client: ClientId.optional().describe('Only this client’s') }),
        response: withProblems({ 200: z.object({ subscriptions: z.array(WebhookSubscription) }) }),
      },
    },
    async (request) => {
      const found = await subscriptions.list(scopeOf(request.principal().clients, request.query.client));
      request.touchClient(...found.map((s) => s.client));
      return { subscriptions: found };
    },
  );

  app.get(
    '/webhooks/subscriptions/:id',
    { config: auth, schema: { summary: 'One webhook subscription', tags, params: SubscriptionParams, response: withProblems({ 200: WebhookSubscription }) } },
    async (request) => {
      const subscription = await subscriptionInScope(request.params.id, request.principal().clients);
      request.touchClient(subscription.client);
      return subscription;
    },
  );

  app.delete(
    '/webhooks/subscriptions/:id',
    {
      config: auth,
      schema: {
        summary: 'Remove a webhook subscription; its queued deliveries are skipped',
        tags,
        params: SubscriptionParams,
        response: withProblems({ 204: z.null().describe('Removed') }),
      },
    },
    async (request, reply) => {
      const subscription = await subscriptionInScope(request.params.id, request.principal().clients);
      request.touchClient(subscription.client);
      await subscriptions.remove(subscription, request.principal().id);
      request.log.info({ subscriptionId: subscription.id, client: subscription.client }, 'webhook subscription removed');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/deliveries',
    {
      config: auth,
      schema: {
        summary: 'Webhook deliveries of the caller’s clients by state, newest first; `failed` lists the dead letters',
        tags,
        querystring: z.object({
          state: z.enum(DELIVERY_STATES).default('failed'),
          client: ClientId.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: withProblems({
          200: z.object({
            deliveries: z.array(DeliveryView),
            truncated: z.boolean().describe('More may match: the newest 5000 deliveries of the state are scanned at most'),
          }),
        }),
      },
    },
    async (request) => {
      const { state, client, limit } = request.query;
      const page = await deliveries.list({ state, clients: scopeOf(request.principal().clients, client), limit });
      request.touchClient(...page.deliveries.map((d) => d.client));
      return page;
    },
  );

  /** The caller's delivery, or 404 (also for another client's). */
  const deliveryInScope = async (id: string, clients: readonly string[]) => {
    const delivery = await deliveries.get(id);
    if (!delivery || !clients.includes(delivery.client)) throw problems.notFound(`No webhook delivery ${id}`);
    return delivery;
  };

  app.get(
    '/webhooks/deliveries/:id',
    {
      config: auth,
      schema: { summary: 'One delivery: state, attempts made, each attempt’s answer, last error', tags, params: DeliveryParams, response: withProblems({ 200: DeliveryView }) },
    },
    async (request) => {
      const delivery = await deliveryInScope(request.params.id, request.principal().clients);
      request.touchClient(delivery.client);
      return delivery;
    },
  );

  app.post(
    '/webhooks/deliveries/:id/redrive',
    {
      config: auth,
      schema: {
        summary: 'Send a failed delivery (a dead letter) again, with a fresh set of attempts',
        tags,
        params: DeliveryParams,
        response: withProblems({ 202: DeliveryView }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const delivery = await deliveryInScope(id, request.principal().clients);
      request.touchClient(delivery.client);
      const outcome = await deliveries.redrive(id);
      if (outcome === 'not-found') throw problems.notFound(`No webhook delivery ${id}`);
      if (outcome === 'not-failed') throw problems.deliveryNotFailed(`Delivery ${id} is ${delivery.state}`);
      request.log.info({ delivery: id, client: delivery.client, by: request.principal().id }, 'webhook delivery re-driven');
      return reply.code(202).send((await deliveries.get(id)) ?? delivery);
    },
  );
};
