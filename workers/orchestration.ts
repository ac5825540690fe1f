// The orchestration worker: runs every process workflow and the light activities that keep the
// inbox index in step. Stateless: run as many as load needs.
import { NativeConnection, Worker } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { TaskIndex } from '../inbox/task-index';
import { Roster } from '../inbox/roster';
import { createInboxActivities } from '../activities/inbox';
import { ORCHESTRATION_TASK_QUEUE } from '../workflows/engine/process-definition';
import { workflowSource } from './workflow-source';
import { runUntilSignal } from './lifecycle';

const config = loadConfig();
const log = createLogger('orchestration-worker', config.logLevel);

const connection = await NativeConnection.connect({ address: config.temporal.address });
const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3 });
const worker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: ORCHESTRATION_TASK_QUEUE,
  ...workflowSource(config.workflowBundle),
  activities: createInboxActivities({ index: new TaskIndex(redis, { prefix: config.redis.prefix }), roster: Roster.load(config.rosterFile) }),
});

log.info({ taskQueue: ORCHESTRATION_TASK_QUEUE, temporal: config.temporal.address }, 'orchestration worker started');
await runUntilSignal(worker, log, [() => redis.quit(), () => connection.close()]);
