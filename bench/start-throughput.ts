// Benchmark: runs started per second through POST /processes/manual-task/runs beside the raw
// client.workflow.start, same run.
//   npx tsx bench/start-throughput.ts                     # 1,000 runs per path, 16 in flight
//   npx tsx bench/start-throughput.ts --starts 400 --start-concurrency 32
import { runStandalone } from './lib/standalone';

await runStandalone('start-throughput');
