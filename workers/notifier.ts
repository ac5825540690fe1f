// The notifier: delivers queued webhooks (BullMQ) to the subscribers' URLs, signed, retried with
// backoff. Stateless like the Temporal workers: run as many as the delivery load needs; BullMQ
// hands each job to one of them at a time.
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { createNotifier } from '../notifications/notifier';
import { DELIVERY_QUEUE } from '../notifications/delivery-options';
import { webhookMasterKey } from '../notifications/webhook-key';
import { createRegistry } from '../platform/metrics/registry';
import { WebhookMetrics } from '../platform/metrics/webhook-metrics';
import { serveMetrics } from '../platform/metrics/server';
import { failFastRedis } from '../platform/dependencies/redis-guard';
import { watchWorkerDependencies } from './dependency-watch';

const config = loadConfig();
const log = createLogger('notifier', config.logLevel);

const registry = createRegistry();
// TANDEM_NOTIFIER_METRICS_PORT unset: no endpoint (several notifiers on one host need a port each).
const { notifierPort, host, token } = config.metrics;
const metricsServer = notifierPort === undefined ? undefined : await serveMetrics({ registry, port: notifierPort, host, token, log });

// BullMQ's own connections wait out an outage and reconnect; this one only watches Redis, so the
// log says once that it is away and once that it is back, and the metrics say since when.
const watched = failFastRedis(config.redis);
const dependencies = watchWorkerDependencies({ redis: watched, log, metrics: registry });
const notifier = await createNotifier({
  redis: config.redis.url,
  redisTls: config.redis.tls,
  prefix: config.redis.prefix,
  masterKey: webhookMasterKey(config.webhooks),
  delivery: { attempts: config.webhooks.attempts, backoffMs: config.webhooks.backoffMs },
  concurrency: config.webhooks.concurrency,
  log,
  metrics: new WebhookMetrics(registry),
});
log.info({ queue: DELIVERY_QUEUE, prefix: config.redis.prefix, concurrency: config.webhooks.concurrency }, 'notifier started');

await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
// Deliveries in flight finish (at most the 10 s timeout); queued ones wait for the next notifier.
log.info('notifier stopping');
await notifier.close();
await dependencies.stop();
watched.disconnect();
await metricsServer?.close();
log.info('notifier stopped');
