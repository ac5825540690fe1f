// Runs a worker until SIGINT/SIGTERM, then drains it and runs every cleanup step, even if one fails.
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';

export async function runUntilSignal(worker: Worker | Worker[], log: Logger, cleanups: Array<() => unknown>): Promise<void> {
  const workers = Array.isArray(worker) ? worker : [worker];
  const stop = (): void => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // One worker stopping (a fatal error) stops the others, so the process never half-serves.
    await Promise.all(workers.map((w) => w.run().finally(stop)));
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
