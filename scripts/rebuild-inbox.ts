// npm run inbox:rebuild: drops the Redis inbox index and rebuilds it from Temporal.
import { Redis } from 'ioredis';
import { redisOptions } from '../platform/tls';
import { loadConfig } from '../platform/config';
import { connectClient } from '../platform/temporal';
import { TaskIndex } from '../inbox/task-index';
import { rebuildInbox } from '../inbox/rebuild';

const config = loadConfig();
const temporal = await connectClient(config);
const redis = new Redis(config.redis.url, redisOptions(config.redis));
try {
  const index = new TaskIndex(redis, { prefix: config.redis.prefix });
  await index.clear();
  const report = await rebuildInbox(temporal.client, index);
  console.log(`inbox index rebuilt: ${report.tasks} tasks from ${report.runs} runs in ${report.ms} ms`);
} finally {
  redis.disconnect();
  await temporal.close();
}
