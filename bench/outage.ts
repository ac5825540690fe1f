// The outage drill (bench/lib/outage-drill.ts): Temporal, Redis, then both killed for a while
// with runs waiting at their tasks; every operator call timed meanwhile, and the time from each
// dependency's return to the first successful decision.
//   npm run bench:outage                        # 20 s outages, Temporal, Redis, both
//   npm run bench:outage -- --outage-s 10 --only redis
// Runs on a Temporal and Redis of its own (free ports, a temporary folder); stops all it started.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { startDrill, summarise, type Outage, type OutageReport } from './lib/outage-drill';

const { values: flags } = parseArgs({
  options: {
    'outage-s': { type: 'string', default: '20' },
    only: { type: 'string' },
    json: { type: 'string' },
  },
});
const outages = (flags.only?.split(',') ?? ['temporal', 'redis', 'both']) as Outage[];
const dir = await mkdtemp(`${tmpdir()}/tandem-outage-`);
const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const drill = await startDrill({ dir, outageMs: Number(flags['outage-s']) * 1000, outages, log });
const reports: OutageReport[] = [];
try {
  for (const outage of outages) {
    const report = await drill.run(outage);
    reports.push(report);
    for (const line of summarise(report)) process.stdout.write(`${line}\n`);
  }
} finally {
  await drill.stop();
  await rm(dir, { recursive: true, force: true });
}
if (flags.json) await writeFile(flags.json, JSON.stringify(reports, null, 2));
