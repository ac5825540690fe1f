// The API process: connects to Temporal and Redis, then listens.
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { connectClient } from '../platform/temporal';
import { TaskIndex } from '../inbox/task-index';
import { buildApp } from './app';
import { Roster } from '../inbox/roster';
import { ArtifactStore } from '../activities/artifacts';
import { ApiKeys } from './auth/api-keys';
import { TokenVerifier } from './auth/token-verifier';
import { tokenSettings } from './auth/token-settings';
import { temporalCircuit } from '../platform/dependencies/temporal-guard';
import { failFastRedis, redisCircuit } from '../platform/dependencies/redis-guard';

const config = loadConfig();
const logger = createLogger('api', config.logLevel);
// A circuit per dependency: known outages are answered 503 at once, every call has a deadline,
// and the API starts (and heals) while either is away.
const temporalGuard = temporalCircuit(logger);
const temporal = await connectClient(config, { log: logger, connection: temporalGuard.connection, lazy: true });
temporalGuard.watch(temporal.client.connection);
const redis = failFastRedis(config.redis);
const dependencies = { temporal: temporalGuard.circuit, redis: redisCircuit(redis, { log: logger }) };
const app = await buildApp({
  temporal: temporal.client,
  index: new TaskIndex(redis, { prefix: config.redis.prefix }),
  roster: Roster.load(config.rosterFile),
  artifacts: new ArtifactStore(config.artifactsDir),
  auth: { tokens: new TokenVerifier(tokenSettings(config)), apiKeys: ApiKeys.fromFile(config.auth.apiKeysFile) },
  ratePerMinute: config.auth.ratePerMinute,
  logger,
  dependencies,
});

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  await app.close().catch((err) => logger.warn({ err }, 'closing the API failed'));
  await Promise.all([dependencies.temporal.stop(), dependencies.redis.stop()]);
  await Promise.allSettled([redis.quit(), temporal.close()]);
}
process.once('SIGINT', () => void close());
process.once('SIGTERM', () => void close());

await app.listen({ host: config.api.host, port: config.api.port });
