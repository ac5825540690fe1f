// Benchmark: decision latency, POST /tasks/{id}/complete → the run's next step started, beside the
// raw SDK's executeUpdate on a bare workflow on the same server, same run (p50/p95/p99).
//   npx tsx bench/decision-latency.ts                     # 500 decisions per path
//   npx tsx bench/decision-latency.ts --decisions 100
import { runStandalone } from './lib/standalone';

await runStandalone('decision-latency');
