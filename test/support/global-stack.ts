// Starts the real stack once for the whole test run (Temporal dev server, Redis, sandbox apps),
// on the `test` profile's own ports and state folder, and bundles the workflows once.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { bundleWorkflows } from '../../workers/workflow-source';

const run = promisify(execFile);

/** Namespace for workflow tests that run their own workers with fake activities. */
export const UNIT_NAMESPACE = 'tandem-workflow-tests';

export interface StackEnv {
  [key: string]: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: StackEnv;
  }
}

async function stack(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('bash', ['scripts/stack.sh', command], { env, maxBuffer: 10 * 1024 * 1024 });
  return stdout;
}

// Folders no workflow bundle draws from; every other source file counts, so a miss only costs a rebundle.
const NOT_BUNDLED = new Set(['node_modules', '.git', '.state', 'test', 'bench', 'chaos', 'docs', 'cli', 'sandbox', 'scripts']);

/** A fingerprint of the source tree (paths, sizes, modification times) and the lock file. */
async function hashSources(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!NOT_BUNDLED.has(entry.name)) await walk(path);
      } else if (/\.(ts|js|json)$/.test(entry.name)) {
        const { size, mtimeMs } = await stat(path);
        hash.update(`${path}\0${size}\0${mtimeMs}\n`);
      }
    }
  };
  await walk(root);
  return hash.digest('hex');
}

/** Every process of the stack is up (`stack.sh status` exits 0 only then). */
async function stackRunning(env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await stack('status', env);
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // TANDEM_TEST_PROFILE lets two test runs on one machine use separate stacks (own ports and state).
  const profile = process.env.TANDEM_TEST_PROFILE ?? 'test';
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_PROFILE: profile, TEMPORAL_EXTRA_ARGS: `--namespace ${UNIT_NAMESPACE}` };
  // The tests always run their own dev server, and start their own workers: a shell that loaded the
  // cluster profile's env (TANDEM_TEMPORAL_SERVER=postgres, TANDEM_STACK_APP=1) changes neither.
  for (const name of ['TEMPORAL_ADDRESS', 'TANDEM_TEMPORAL_SERVER', 'TANDEM_STACK_APP']) delete env[name];
  const started = Date.now();
  // TANDEM_TEST_KEEP_STACK=1 (npm run test:only): a developer's inner loop keeps the stack up
  // between runs and reuses it, leftovers and all; the full suite starts fresh and stops it.
  const keep = process.env.TANDEM_TEST_KEEP_STACK === '1';
  const reused = keep && (await stackRunning(env));
  // Fresh state each run: no runs, tasks or ledger entries left over from an earlier run.
  if (!reused) await stack('reset', env);
  await stack('start', env);
  const stackEnv: StackEnv = {};
  for (const line of (await stack('env', env)).split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) stackEnv[line.slice(0, at)] = line.slice(at + 1);
  }
  const bundlePath = `${stackEnv.TANDEM_STATE_DIR}/workflow-bundle.js`;
  await mkdir(stackEnv.TANDEM_STATE_DIR!, { recursive: true });
  // Bundling takes 10–30 s; the inner loop rebundles only when a source file changed.
  const sourceHash = keep ? await hashSources(process.cwd()) : undefined;
  const hashPath = `${bundlePath}.sources`;
  const cached = sourceHash !== undefined && (await readFile(hashPath, 'utf8').catch(() => '')) === sourceHash;
  if (!cached) {
    await writeFile(bundlePath, await bundleWorkflows());
    if (sourceHash !== undefined) await writeFile(hashPath, sourceHash);
  }
  stackEnv.TANDEM_WORKFLOW_BUNDLE = bundlePath;
  stackEnv.TANDEM_UNIT_NAMESPACE = UNIT_NAMESPACE;
  // API processes the tests start sample by no declared QA default (test/support/tandem-api.ts says why).
  stackEnv.TANDEM_QA_DEFAULTS = 'off';
  const how = reused ? 'reused' : 'ready';
  process.stdout.write(`test stack ${how} in ${((Date.now() - started) / 1000).toFixed(1)}s (${stackEnv.TEMPORAL_ADDRESS})\n`);
  project.provide('stackEnv', stackEnv);
  return async () => {
    if (keep) process.stdout.write('test stack kept running: npm run test:stack:stop stops it\n');
    else await stack('stop', env);
  };
}
