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

const config = loadConfig();
const log = createLogger('bot-worker', config.logLevel);

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
  }),
});

log.info({ taskQueue: BOT_TASK_QUEUE, concurrency: config.botConcurrency }, 'bot worker started');
await runUntilSignal(worker, log, [() => pool.close(), () => temporal.close()]);
