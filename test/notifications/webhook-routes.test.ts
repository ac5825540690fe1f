// The webhook API on the real stack: subscriptions per client (the secret shown once), deliveries
// and dead letters scoped to the caller's clients, re-drive through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp } from '../../api/app';
import { mintToken } from '../../api/auth/token-verifier';
import { TaskIndex } from '../../inbox/task-index';
import { createNotifier, type Notifier } from '../../notifications/notifier';
import { verifySignature } from '../../notifications/signing';
import type { TandemEvent } from '../../workflows/engine/events';
import { bearer, TEST_TOKEN_SETTINGS, testAuth } from '../support/auth';
import { eventually, stackEnv, temporalClient, uniqueId } from '../support/temporal';
import { Receiver } from './receiver';

const prefix = uniqueId('webhook-api');
const masterKey = randomBytes(32).toString('base64url');
let app: FastifyInstance;
let notifier: Notifier;
let redis: Redis;
let receiver: Receiver;
let temporal: Awaited<ReturnType<typeof temporalClient>>;
/** A process admin of acme-health only (the demo roster's admins serve both clients). */
let acmeAdmin: Record<string, string>;

beforeAll(async () => {
  temporal = await temporalClient();
  redis = new Redis(stackEnv().REDIS_URL!);
  notifier = await createNotifier({ redis, prefix, masterKey, delivery: { attempts: 3, backoffMs: 50, backoffJitter: 0 }, timeoutMs: 2_000 });
  receiver = await Receiver.start();
  app = await buildApp({
    temporal: temporal.client,
    index: new TaskIndex(redis, { prefix }),
    auth: testAuth(),
    webhooks: { subscriptions: notifier.subscriptions, deliveries: notifier.queue, masterKey: () => masterKey },
  });
  const token = await mintToken(TEST_TOKEN_SETTINGS, { id: 'pia.acme', name: 'Pia (Acme admin)', roles: ['process-admin'], teams: [], clients: ['acme-health'] });
  acmeAdmin = { authorization: `Bearer ${token}` };
});
afterAll(async () => {
  await app?.close();
  await receiver?.close();
  await notifier?.close();
  await redis?.quit();
  await temporal?.close();
});

const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) =>
  app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

const event = (client: string): TandemEvent => {
  const runId = uniqueId('payroll-run');
  return { id: `${runId}:run.sla-breached:0`, type: 'run.sla-breached', client, process: 'payroll-run', runId, at: new Date().toISOString(), data: { dueAt: '2030-01-01T06:00:00.000Z' } };
};

describe('webhook subscriptions', () => {
  it('returns the signing secret at creation only, and scopes everything to the caller’s clients', async () => {
    const sam = await bearer('sam.rivera');
    const created = await call('POST', '/webhooks/subscriptions', sam, { client: 'globex-insurance', url: receiver.url('/globex'), eventTypes: ['run.sla-breached', 'run.sla-breached'], description: 'Globex on-call' });
    expect(created.statusCode, created.body).toBe(201);
    const subscription = created.json();
    expect(subscription).toMatchObject({ client: 'globex-insurance', eventTypes: ['run.sla-breached'], description: 'Globex on-call', createdBy: 'sam.rivera', secret: expect.stringMatching(/^whsec_/) });
    expect(created.headers.location).toBe(`/webhooks/subscriptions/${subscription.id}`);

    const read = await call('GET', `/webhooks/subscriptions/${subscription.id}`, sam);
    expect(read.statusCode).toBe(200);
    expect(read.json()).not.toHaveProperty('secret');
    expect(read.body).not.toContain(subscription.secret);
    const listed = await call('GET', '/webhooks/subscriptions', sam);
    expect(listed.json().subscriptions.map((s: { id: string }) => s.id)).toContain(subscription.id);
    expect(listed.body).not.toContain(subscription.secret);
    // Nothing in Redis holds the secret.
    expect(JSON.stringify(await redis.hgetall(`${prefix}:webhooks:subscription:${subscription.id}`))).not.toContain(subscription.secret);

    // An admin of acme only: globex's subscription is unknown to them, and they cannot subscribe for globex.
    expect((await call('GET', `/webhooks/subscriptions/${subscription.id}`, acmeAdmin)).statusCode).toBe(404);
    expect((await call('DELETE', `/webhooks/subscriptions/${subscription.id}`, acmeAdmin)).statusCode).toBe(404);
    expect((await call('GET', '/webhooks/subscriptions', acmeAdmin)).json().subscriptions.some((s: { client: string }) => s.client !== 'acme-health')).toBe(false);
    expect((await call('GET', '/webhooks/subscriptions?client=globex-insurance', acmeAdmin)).json().subscriptions).toEqual([]);
    const foreign = await call('POST', '/webhooks/subscriptions', acmeAdmin, { client: 'globex-insurance', url: receiver.url(), eventTypes: ['run.failed'] });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().field).toBe('body.client');

    // Operators and client viewers manage no webhooks.
    for (const person of ['ana.lima', 'vera.acme', 'nina.berg']) {
      expect((await call('GET', '/webhooks/subscriptions', await bearer(person))).statusCode, person).toBe(403);
    }

    expect((await call('DELETE', `/webhooks/subscriptions/${subscription.id}`, sam)).statusCode).toBe(204);
    expect((await call('GET', `/webhooks/subscriptions/${subscription.id}`, sam)).statusCode).toBe(404);
  });

  it('refuses URLs that are not http(s), credentials in URLs, and unknown event types', async () => {
    const omar = await bearer('omar.haddad');
    const cases: Array<[object, string]> = [
      [{ url: 'ftp://example.com/hook' }, 'body.url'],
      [{ url: 'https://user:pw@example.com/hook' }, 'body.url'],
      [{ eventTypes: ['run.exploded'] }, 'body.eventTypes.0'],
      [{ eventTypes: [] }, 'body.eventTypes'],
    ];
    for (const [change, field] of cases) {
      const res = await call('POST', '/webhooks/subscriptions', omar, { client: 'acme-health', url: 'https://example.com/hook', eventTypes: ['run.failed'], ...change });
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().field).toBe(field);
    }
  });
});

describe('webhook deliveries', () => {
  it('lists a dead letter to its client’s managers only and re-drives it through the API', async () => {
    const omar = await bearer('omar.haddad');
    receiver.answer = () => 503;
    const acme = (await call('POST', '/webhooks/subscriptions', acmeAdmin, { client: 'acme-health', url: receiver.url('/acme'), eventTypes: ['run.sla-breached'] })).json();
    await call('POST', '/webhooks/subscriptions', omar, { client: 'globex-insurance', url: receiver.url('/globex'), eventTypes: ['run.sla-breached'] });
    const acmeEvent = event('acme-health');
    await notifier.activities.emitEvent(acmeEvent);
    await notifier.activities.emitEvent(event('globex-insurance'));

    const dead = await eventually(async () => {
      const res = await call('GET', '/webhooks/deliveries?state=failed', acmeAdmin);
      return res.json().deliveries?.find((d: { event: { id: string } }) => d.event.id === acmeEvent.id);
    }, 'the dead letter');
    expect(dead).toMatchObject({ state: 'failed', subscriptionId: acme.id, attemptsMade: 3, maxAttempts: 3, lastError: 'receiver answered HTTP 503' });
    await eventually(async () => (await call('GET', '/webhooks/deliveries?state=failed&client=globex-insurance', omar)).json().deliveries.length === 1, 'globex’s dead letter');
    // acme's admin sees none of globex's deliveries, listed or by id.
    const failed = (await call('GET', '/webhooks/deliveries?state=failed', acmeAdmin)).json();
    expect(failed.deliveries.every((d: { client: string }) => d.client === 'acme-health')).toBe(true);
    const globexDead = (await call('GET', '/webhooks/deliveries?state=failed&client=globex-insurance', omar)).json().deliveries[0];
    expect((await call('GET', `/webhooks/deliveries/${globexDead.id}`, acmeAdmin)).statusCode).toBe(404);
    expect((await call('POST', `/webhooks/deliveries/${globexDead.id}/redrive`, acmeAdmin)).statusCode).toBe(404);

    const detail = (await call('GET', `/webhooks/deliveries/${dead.id}`, acmeAdmin)).json();
    expect(detail.attempts.map((a: { status: number }) => a.status)).toEqual([503, 503, 503]);
    expect(detail).toMatchObject({ createdAt: expect.any(String), lastAttemptAt: expect.any(String), finishedAt: expect.any(String) });

    receiver.answer = () => 204; // fixed
    const redriven = await call('POST', `/webhooks/deliveries/${dead.id}/redrive`, acmeAdmin);
    expect(redriven.statusCode, redriven.body).toBe(202);
    await eventually(async () => receiver.delivered('/acme').length === 1, 'the re-driven delivery');
    const done = await eventually(async () => {
      const view = (await call('GET', `/webhooks/deliveries/${dead.id}`, acmeAdmin)).json();
      return view.state === 'completed' && view;
    }, 'the delivery completed');
    expect(done.result).toEqual({ outcome: 'delivered', status: 204 });
    const got = receiver.delivered('/acme')[0]!;
    expect(verifySignature(acme.secret, got.headers['x-tandem-timestamp'] as string, got.body, got.headers['x-tandem-signature'] as string)).toBe(true);
    expect(receiver.delivered('/acme')).toHaveLength(1);
    expect(receiver.received('/globex')).toHaveLength(3); // globex's dead letter was not re-driven

    const again = await call('POST', `/webhooks/deliveries/${dead.id}/redrive`, acmeAdmin);
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe('urn:tandem:problem:delivery-not-failed');
    expect((await call('GET', '/webhooks/deliveries?state=completed', acmeAdmin)).json().deliveries.map((d: { id: string }) => d.id)).toContain(dead.id);
    expect((await call('GET', '/webhooks/deliveries/whs_AAAAAAAAAAAAAAAA.00000000000000000000000000000000', acmeAdmin)).statusCode).toBe(404);
    expect((await call('GET', '/webhooks/deliveries/not-an-id', acmeAdmin)).statusCode).toBe(400);
  });
});
