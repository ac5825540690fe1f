// Benchmark: the highest rate of decisions (take-next + complete over HTTP) held for 2 minutes with
// p99 decision latency under 500 ms, with one DataEntry item batch running beside it.
//   npx tsx bench/sustained-decisions.ts                  # probes 20…150/s for 10 s, then a 120 s hold
//   npx tsx bench/sustained-decisions.ts --rates 30,60 --hold-seconds 60 --batch-documents 0
import { runStandalone } from './lib/standalone';

await runStandalone('sustained-decisions');
