// The baseline's worker process: the bare decision workflow and its one activity, on the stack's
// Temporal with the same connection settings (and payload codec) as the orchestration worker, in a
// process of its own like it, so neither side shares the bench's event loop.
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../platform/config';
import { connectWorker } from '../../platform/temporal';
import { BARE_TASK_QUEUE, type BareActivities } from '../workflows/bare-decision';

Runtime.install({ logger: new DefaultLogger('WARN') });
const temporal = await connectWorker(loadConfig());
const activities: BareActivities = { nextStep: async () => Date.now() };
const worker = await Worker.create({
  ...temporal.options,
  taskQueue: BARE_TASK_QUEUE,
  workflowsPath: fileURLToPath(new URL('../workflows/bare-decision.ts', import.meta.url)),
  activities,
});
const stop = (): void => worker.shutdown();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
console.log('bare decision worker started');
await worker.run();
await temporal.close();
