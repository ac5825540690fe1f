// Runs a worker until SIGINT/SIGTERM, then drains it and runs every cleanup step, even if one fails.
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';

export async function runUntilSignal(worker: Worker, log: Logger, cleanups: Array<() => unknown>): Promise<void> {
  const stop = (): void => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await worker.run();
  } finally {
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (err) {
        log.warn({ err }, 'cleanup step failed');
      }
    }
    log.info('worker stopped');
  }
}
