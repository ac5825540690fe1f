// The API process: connects to Temporal and Redis, then listens.
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { TaskIndex } from '../inbox/task-index';
import { buildApp } from './app';
import { Roster } from '../inbox/roster';
import { ArtifactStore } from '../activities/artifacts';

const config = loadConfig();
const logger = createLogger('api', config.logLevel);
const connection = await Connection.connect({ address: config.temporal.address });
const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 3 });
const app = await buildApp({
  temporal: new Client({ connection, namespace: config.temporal.namespace }),
  index: new TaskIndex(redis, { prefix: config.redis.prefix }),
  roster: Roster.load(config.rosterFile),
  artifacts: new ArtifactStore(config.artifactsDir),
  logger,
});

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  await app.close().catch((err) => logger.warn({ err }, 'closing the API failed'));
  await Promise.allSettled([redis.quit(), connection.close()]);
}
process.once('SIGINT', () => void close());
process.once('SIGTERM', () => void close());

await app.listen({ host: config.api.host, port: config.api.port });
