// Benchmark: 10,000 (or --sizes) open tasks: time to open them, take-next (index pick, claim Update,
// whole over HTTP), orchestration worker RSS and Redis memory, at each size of one growing run.
//   npx tsx bench/waiting-scale.ts                        # 1,000 then 10,000 open tasks
//   npx tsx bench/waiting-scale.ts --sizes 10000,100000   # the 100k row (long: loading dominates)
import { runStandalone } from './lib/standalone';

await runStandalone('waiting-scale');
