// npm run inbox:rebuild: drops the Redis inbox index and rebuilds it from Temporal.
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { loadConfig } from '../platform/config';
import { TaskIndex } from '../inbox/task-index';
import { rebuildInbox } from '../inbox/rebuild';

const config = loadConfig();
const connection = await Connection.connect({ address: config.temporal.address });
const redis = new Redis(config.redis.url);
try {
  const index = new TaskIndex(redis, { prefix: config.redis.prefix });
  await index.clear();
  const report = await rebuildInbox(new Client({ connection, namespace: config.temporal.namespace }), index);
  console.log(`inbox index rebuilt: ${report.tasks} tasks from ${report.runs} runs in ${report.ms} ms`);
} finally {
  redis.disconnect();
  await connection.close();
}
