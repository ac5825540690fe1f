// Starts the real stack once for the whole test run (Temporal dev server, Redis, sandbox apps),
// on the `test` profile's own ports and state folder, and bundles the workflows once.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // TANDEM_TEST_PROFILE lets two test runs on one machine use separate stacks (own ports and state).
  const profile = process.env.TANDEM_TEST_PROFILE ?? 'test';
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_PROFILE: profile, TEMPORAL_EXTRA_ARGS: `--namespace ${UNIT_NAMESPACE}` };
  // The tests always run their own dev server, and start their own workers: a shell that loaded the
  // cluster profile's env (TANDEM_TEMPORAL_SERVER=postgres, TANDEM_STACK_APP=1) changes neither.
  for (const name of ['TEMPORAL_ADDRESS', 'TANDEM_TEMPORAL_SERVER', 'TANDEM_STACK_APP']) delete env[name];
  const started = Date.now();
  // Fresh state each run: no runs, tasks or ledger entries left over from an earlier run.
  await stack('reset', env);
  await stack('start', env);
  const stackEnv: StackEnv = {};
  for (const line of (await stack('env', env)).split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) stackEnv[line.slice(0, at)] = line.slice(at + 1);
  }
  const bundlePath = `${stackEnv.TANDEM_STATE_DIR}/workflow-bundle.js`;
  await mkdir(stackEnv.TANDEM_STATE_DIR!, { recursive: true });
  await writeFile(bundlePath, await bundleWorkflows());
  stackEnv.TANDEM_WORKFLOW_BUNDLE = bundlePath;
  stackEnv.TANDEM_UNIT_NAMESPACE = UNIT_NAMESPACE;
  // API processes the tests start sample by no declared QA default (test/support/tandem-api.ts says why).
  stackEnv.TANDEM_QA_DEFAULTS = 'off';
  process.stdout.write(`test stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${stackEnv.TEMPORAL_ADDRESS})\n`);
  project.provide('stackEnv', stackEnv);
  return async () => {
    await stack('stop', env);
  };
}
