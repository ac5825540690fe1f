// The orchestration worker: runs every process workflow and the light activities that keep the
// inbox index in step. Stateless: run as many as load needs.
import { Worker } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { connectWorker } from '../platform/temporal';
import { TaskIndex } from '../inbox/task-index';
import { Roster } from '../inbox/roster';
import { createInboxActivities } from '../activities/inbox';
import { createNotificationActivities } from '../activities/notifications';
import { createBatchHistoryActivities } from '../activities/batch-history';
import { DeliveryQueue } from '../notifications/delivery-queue';
import { WebhookSubscriptions } from '../notifications/subscriptions';
import { ORCHESTRATION_TASK_QUEUE } from '../workflows/engine/process-definition';
import { workflowSource } from './workflow-source';
import { runUntilSignal } from './lifecycle';

const config = loadConfig();
const log = createLogger('orchestration-worker', config.logLevel);

const temporal = await connectWorker(config, { log });
const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3 });
// emitEvent only queues webhook deliveries (BullMQ, same Redis and prefix); the notifier sends them.
const deliveries = new DeliveryQueue(redis, { prefix: config.redis.prefix, attempts: config.webhooks.attempts, backoffMs: config.webhooks.backoffMs });
const worker = await Worker.create({
  ...temporal.options,
  taskQueue: ORCHESTRATION_TASK_QUEUE,
  ...workflowSource(config.workflowBundle),
  activities: {
    ...createInboxActivities({ index: new TaskIndex(redis, { prefix: config.redis.prefix }), roster: Roster.load(config.rosterFile) }),
    ...createNotificationActivities({ subscriptions: new WebhookSubscriptions(redis, { prefix: config.redis.prefix }), deliveries }),
    ...createBatchHistoryActivities(),
  },
});

log.info({ taskQueue: ORCHESTRATION_TASK_QUEUE, temporal: config.temporal.address }, 'orchestration worker started');
await runUntilSignal(worker, log, [() => deliveries.close(), () => redis.quit(), () => temporal.close()]);
