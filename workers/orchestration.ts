// The orchestration worker: runs every process workflow and the light activities that keep the
// inbox index in step. Stateless: run as many as load needs.
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { connectClient, connectWorker } from '../platform/temporal';
import { TaskIndex } from '../inbox/task-index';
import { Roster } from '../inbox/roster';
import { createInboxActivities } from '../activities/inbox';
import { createNotificationActivities } from '../activities/notifications';
import { createBatchHistoryActivities } from '../activities/batch-history';
import { createBusinessItemActivities } from '../activities/business-items';
import { DeliveryQueue } from '../notifications/delivery-queue';
import { WebhookSubscriptions } from '../notifications/subscriptions';
import { SubscriptionRegistry } from '../notifications/subscription-registry';
import { ORCHESTRATION_TASK_QUEUE } from '../workflows/engine/process-definition';
import { workflowSource } from './workflow-source';
import { runUntilSignal } from './lifecycle';
import { failFastRedis } from '../platform/dependencies/redis-guard';
import { watchWorkerDependencies } from './dependency-watch';
import { ClientOversight } from '../api/client-oversight';
import { createReportActivities } from '../reporting/report-activities';
import { catalogue } from '../platform/process-catalogue';

const config = loadConfig();
const log = createLogger('orchestration-worker', config.logLevel);

const temporal = await connectWorker(config, { log });
// Fail fast (no offline queue, a 2 s deadline): an activity that meets a Redis outage fails at once
// and Temporal retries it (the inbox activity keeps trying, 0.5 s to 10 s apart) until Redis is back.
const redis = failFastRedis(config.redis);
const dependencies = watchWorkerDependencies({ temporal: temporal.options.connection, redis, log });
// emitEvent only queues webhook deliveries (BullMQ, same Redis and prefix); the notifier sends them.
// A client too, to refill the subscriptions' mirror from Temporal when Redis comes back empty.
const registryClient = await connectClient(config, { log, lazy: true });
const subscriptions = new WebhookSubscriptions(redis, { prefix: config.redis.prefix, registry: new SubscriptionRegistry(registryClient.client) });
// Service reports read a reporting store of this worker's own (in memory, fed from Temporal before
// each report), as the API keeps its own: the store is a cache of what the runs' memos say.
const oversight = await ClientOversight.open(registryClient.client, catalogue.processes);
const deliveries = new DeliveryQueue(redis, { prefix: config.redis.prefix, attempts: config.webhooks.attempts, backoffMs: config.webhooks.backoffMs });
const worker = await Worker.create({
  ...temporal.options,
  taskQueue: ORCHESTRATION_TASK_QUEUE,
  ...workflowSource(config.workflowBundle),
  activities: {
    ...createInboxActivities({ index: new TaskIndex(redis, { prefix: config.redis.prefix }), roster: Roster.load(config.rosterFile) }),
    ...createNotificationActivities({ subscriptions, deliveries }),
    ...createBatchHistoryActivities(),
    ...createBusinessItemActivities(),
    ...createReportActivities(oversight),
  },
});

log.info({ taskQueue: ORCHESTRATION_TASK_QUEUE, temporal: config.temporal.address }, 'orchestration worker started');
await runUntilSignal(worker, log, [() => dependencies.stop(), () => deliveries.close(), () => oversight.close(), () => redis.quit(), () => registryClient.close(), () => temporal.close()]);
