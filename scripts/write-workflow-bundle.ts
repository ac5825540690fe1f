// Writes the workflow bundle of this checkout to the file given (scripts/lib/cluster.sh: one bundle
// for all the cluster profile's orchestration workers, so each starts in seconds instead of bundling).
import { writeFile } from 'node:fs/promises';
import { bundleWorkflows } from '../workers/workflow-source';

const [path] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: tsx scripts/write-workflow-bundle.ts <file>\n');
  process.exit(2);
}
await writeFile(path, await bundleWorkflows());
