// The bot worker: runs bot activities, one Chromium per process shared by all of them, a fresh
// browser context per activity, at most TANDEM_BOT_CONCURRENCY at once; credentials from the
// encrypted store, and session slots per client login shared with every other bot worker (Redis).
import { Worker } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { redisOptions } from '../platform/tls';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { connectWorker } from '../platform/temporal';
import { BrowserPool } from '../bots/runtime/browser-pool';
import { ArtifactStore } from '../activities/artifacts';
import { EncryptedCredentialStore } from '../activities/credentials';
import { CredentialKeys } from '../bots/runtime/credential-keys';
import { LoginSessions } from '../bots/runtime/login-sessions';
import { StaticClientApps } from '../activities/bots/client-apps';
import { BOT_TASK_QUEUE } from '../workflows/engine/bot-step';
import { ATTENDED_BOT_TASK_QUEUE } from '../workflows/engine/attended-bot';
import { createBotActivities } from './bot-activities';
import { runUntilSignal } from './lifecycle';
import { createRegistry } from '../platform/metrics/registry';
import { BotMetrics } from '../platform/metrics/bot-metrics';
import { serveMetrics } from '../platform/metrics/server';
import { watchWorkerDependencies } from './dependency-watch';

const config = loadConfig();
const log = createLogger('bot-worker', config.logLevel);

const metrics = createRegistry();
// TANDEM_BOT_METRICS_PORT unset: no endpoint (several bot workers on one host need a port each).
const { botPort, host, token } = config.metrics;
const metricsServer = botPort === undefined ? undefined : await serveMetrics({ registry: metrics, port: botPort, host, token, log });
// Contexts for the unattended slots plus the attended ones: a person's bot never waits for a context.
const pool = new BrowserPool({ executablePath: config.chromiumPath, maxContexts: config.botConcurrency + config.attendedBotSlots });
// Login slots wait out a short Redis outage (queued, up to 8 s a command: under the 10 s heartbeat
// timeout); past that the step's attempt fails and Temporal retries it (5 attempts, 1 s to 30 s apart).
const redis = new Redis(config.redis.url, redisOptions(config.redis, { maxRetriesPerRequest: null, commandTimeout: 8_000 }));
// Read once at start so a missing or exposed key file stops the worker at once, not at the first bot.
const credentialKeys = new CredentialKeys(config.credentialsKey);
credentialKeys.keyring();
const temporal = await connectWorker(config, { log });
const dependencies = watchWorkerDependencies({ temporal: temporal.options.connection, redis, log, metrics });
const activities = await createBotActivities({
    pool,
    credentials: new EncryptedCredentialStore({ file: config.credentialsFile, keys: credentialKeys }),
    sessions: new LoginSessions(redis, { prefix: config.redis.prefix, leaseMs: config.loginLeaseMs }),
    artifacts: new ArtifactStore(config.artifactsDir),
    apps: new StaticClientApps(config.apps),
    metrics: new BotMetrics(metrics),
});
// A cancelled run reaches a running bot with a heartbeat's reply. Heartbeats are throttled to 80 %
// of the 10 s heartbeat timeout by default (8 s); at most 1 s apart, the bot (beating every 2 s)
// hears of a cancel within about 2 s and closes its page. (The write itself is fenced anyway.)
const heartbeats = { maxHeartbeatThrottleInterval: '1 second' } as const;
const worker = await Worker.create({ ...temporal.options, ...heartbeats, taskQueue: BOT_TASK_QUEUE, maxConcurrentActivityTaskExecutions: config.botConcurrency, activities });
// The same bots on the attended queue, with slots of their own: an operator's trigger never queues
// behind a batch's items (those wait on BOT_TASK_QUEUE for the unattended slots).
const attendedWorker = await Worker.create({
  ...temporal.options,
  ...heartbeats,
  taskQueue: ATTENDED_BOT_TASK_QUEUE,
  maxConcurrentActivityTaskExecutions: config.attendedBotSlots,
  activities,
});

log.info(
  { taskQueue: BOT_TASK_QUEUE, concurrency: config.botConcurrency, attendedQueue: ATTENDED_BOT_TASK_QUEUE, attendedSlots: config.attendedBotSlots, loginLeaseMs: config.loginLeaseMs },
  'bot worker started',
);
// Redis goes after the worker has drained: finishing bots give their login slots back through it.
await runUntilSignal([worker, attendedWorker], log, [() => dependencies.stop(), () => pool.close(), () => redis.quit(), () => temporal.close(), () => metricsServer?.close()]);
