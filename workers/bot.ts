// The bot worker: runs bot activities, one Chromium per process shared by all of them, a fresh
// browser context per activity, at most TANDEM_BOT_CONCURRENCY at once.
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { connectWorker } from '../platform/temporal';
import { BrowserPool } from '../bots/runtime/browser-pool';
import { ArtifactStore } from '../activities/artifacts';
import { FileCredentialStore } from '../activities/credentials';
import { StaticClientApps } from '../activities/bots/client-apps';
import { BOT_TASK_QUEUE } from '../workflows/engine/bot-step';
import { createBotActivities } from './bot-activities';
import { runUntilSignal } from './lifecycle';
import { createRegistry } from '../platform/metrics/registry';
import { BotMetrics } from '../platform/metrics/bot-metrics';
import { serveMetrics } from '../platform/metrics/server';

const config = loadConfig();
const log = createLogger('bot-worker', config.logLevel);

const metrics = createRegistry();
// TANDEM_BOT_METRICS_PORT unset: no endpoint (several bot workers on one host need a port each).
const { botPort, host, token } = config.metrics;
const metricsServer = botPort === undefined ? undefined : await serveMetrics({ registry: metrics, port: botPort, host, token, log });
const pool = new BrowserPool({ executablePath: config.chromiumPath, maxContexts: config.botConcurrency });
const temporal = await connectWorker(config, { log });
const worker = await Worker.create({
  ...temporal.options,
  taskQueue: BOT_TASK_QUEUE,
  maxConcurrentActivityTaskExecutions: config.botConcurrency,
  activities: createBotActivities({
    pool,
    credentials: new FileCredentialStore(config.credentialsFile),
    artifacts: new ArtifactStore(config.artifactsDir),
    apps: new StaticClientApps(config.apps),
    metrics: new BotMetrics(metrics),
  }),
});

log.info({ taskQueue: BOT_TASK_QUEUE, concurrency: config.botConcurrency }, 'bot worker started');
await runUntilSignal(worker, log, [() => pool.close(), () => temporal.close(), () => metricsServer?.close()]);
