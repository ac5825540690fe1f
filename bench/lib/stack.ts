// The benchmark's own stack: a fresh `bench` profile of scripts/stack.sh (its own ports and state
// folder), worker processes on it, and one cleanup that stops everything it started, also when the
// benchmark (or the replay recorder, scripts/record-histories.ts) fails or is interrupted.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { bundleWorkflows } from '../../workers/workflow-source';

const run = promisify(execFile);

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** Variables scripts/lib/env.sh derives; inherited values would point the bench at another stack. */
const DERIVED = [
  'TANDEM_STATE_DIR', 'TANDEM_PORT_BASE', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'TEMPORAL_HTTP_PORT', 'TEMPORAL_METRICS_PORT',
  'REDIS_PORT', 'SANDBOX_CLAIMS_PORT', 'SANDBOX_PAYROLL_PORT', 'SANDBOX_CRM_PORT', 'TANDEM_API_PORT', 'TANDEM_BOT_METRICS_PORT',
  'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'REDIS_URL', 'SANDBOX_CLAIMS_URL', 'SANDBOX_PAYROLL_URL', 'SANDBOX_CRM_URL',
  'TANDEM_API_URL', 'TANDEM_CREDENTIALS_FILE', 'TANDEM_PAYLOAD_KEYS_FILE', 'TANDEM_REDIS_EXTERNAL', 'TANDEM_TEMPORAL_EXTERNAL',
  'TANDEM_REDIS_PREFIX', 'TANDEM_WORKFLOW_BUNDLE', 'TEMPORAL_EXTRA_ARGS', 'TANDEM_TEMPORAL_SERVER', 'TANDEM_STACK_APP',
  'TANDEM_SQLITE_PRAGMAS',
];

export type StackEnv = Record<string, string>;

/** The stack variables of this process's environment (what `scripts/stack.sh env` printed into it). */
export function inheritedStackEnv(): StackEnv {
  const env: StackEnv = {};
  for (const name of [...DERIVED, 'TANDEM_PROFILE', 'TANDEM_UNIT_NAMESPACE']) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return env;
}

export interface BenchStack {
  env: StackEnv;
  /** Starts `count` workers (orchestration by default); resolves once each logged `worker started`. */
  startWorkers(count: number, extraEnv: Record<string, string>, kind?: 'orchestration' | 'bot'): Promise<void>;
  /** Starts one more process (`node --import tsx <script>`, a path from the repo root) with the stack's env; resolves once it logged `readyLine`. */
  startProcess(script: string, extraEnv: Record<string, string>, readyLine: string, name: string): Promise<void>;
  /** Process ids of what startWorkers/startProcess started, by name (`orchestration-1`, …). */
  pids: Map<string, number>;
  /** Stops the workers, then the stack. Safe to call twice. */
  stop(): Promise<void>;
}

function profileEnv(profile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_PROFILE: profile };
  for (const name of DERIVED) delete env[name];
  return env;
}

async function stackSh(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('bash', ['scripts/stack.sh', command], { cwd: ROOT, env, maxBuffer: 10 * 1024 * 1024 });
  return stdout;
}

/** `temporalArgs` go to `temporal server start-dev` (TEMPORAL_EXTRA_ARGS); `sqlitePragmas` to
 *  TANDEM_SQLITE_PRAGMAS (scripts/stack.sh: comma-separated, `none` for the dev server's own). */
export async function startStack(profile: string, log: (line: string) => void, temporalArgs = '', opts: { sqlitePragmas?: string } = {}): Promise<BenchStack> {
  const env = { ...profileEnv(profile), TEMPORAL_EXTRA_ARGS: temporalArgs, ...(opts.sqlitePragmas ? { TANDEM_SQLITE_PRAGMAS: opts.sqlitePragmas } : {}) };
  const workers: ChildProcess[] = [];
  const pids = new Map<string, number>();
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(workers.map((w) => stopChild(w)));
    try {
      await stackSh('stop', env);
      log(`stack (${profile}) stopped`);
    } catch (err) {
      log(`stack.sh stop failed: ${(err as Error).message}`);
    }
  };

  try {
    log(`resetting and starting the ${profile} stack (scripts/stack.sh reset && start)`);
    await stackSh('reset', env);
    await stackSh('start', env);
    const stackEnv: StackEnv = {};
    for (const line of (await stackSh('env', env)).split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) stackEnv[line.slice(0, at)] = line.slice(at + 1);
    }
    // Bundle once, so each worker starts in seconds instead of bundling on its own.
    const bundle = `${stackEnv.TANDEM_STATE_DIR}/workflow-bundle.js`;
    await mkdir(stackEnv.TANDEM_STATE_DIR!, { recursive: true });
    await writeFile(bundle, await bundleWorkflows());
    stackEnv.TANDEM_WORKFLOW_BUNDLE = bundle;

    return { env: stackEnv, ...processes(stackEnv, workers, pids, log), pids, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** How worker processes are started on a stack: with its env, logs under its state folder. */
function processes(stackEnv: StackEnv, workers: ChildProcess[], pids: Map<string, number>, log: (line: string) => void): Pick<BenchStack, 'startProcess' | 'startWorkers'> {
  const startProcess = (script: string, extraEnv: Record<string, string>, readyLine: string, name: string): Promise<void> => {
    const logFile = `${stackEnv.TANDEM_STATE_DIR}/logs/bench-${name}.log`;
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: { ...process.env, ...stackEnv, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    if (child.pid) pids.set(name, child.pid);
    // Generous: on a shared 2-core machine at load 30+, a worker took over 2 minutes to start.
    return waitForLine(child, logFile, readyLine, 300_000);
  };
  const startWorkers = async (count: number, extraEnv: Record<string, string>, kind: 'orchestration' | 'bot' = 'orchestration'): Promise<void> => {
    const started = workers.length;
    const first = [...pids.keys()].filter((k) => k.startsWith(`${kind}-`)).length;
    await Promise.all(Array.from({ length: count }, (_, i) => startProcess(`workers/${kind}.ts`, extraEnv, 'worker started', `${kind}-${first + i + 1}`)));
    log(`${count} ${kind} worker(s) started (pids ${workers.slice(started).map((w) => w.pid).join(', ')}); logs in ${stackEnv.TANDEM_STATE_DIR}/logs`);
  };
  return { startProcess, startWorkers };
}

/** A stack someone else started (the test stack: `env` as scripts/stack.sh env prints it, with
 *  TANDEM_WORKFLOW_BUNDLE): only the processes started through it are stopped. */
export function attachStack(env: StackEnv, log: (line: string) => void): BenchStack {
  if (!env.TEMPORAL_ADDRESS || !env.REDIS_URL || !env.TANDEM_WORKFLOW_BUNDLE) throw new Error('attaching to a stack needs TEMPORAL_ADDRESS, REDIS_URL and TANDEM_WORKFLOW_BUNDLE');
  const workers: ChildProcess[] = [];
  const pids = new Map<string, number>();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(workers.map((w) => stopChild(w)));
  };
  return { env, ...processes(env, workers, pids, log), pids, stop };
}

function waitForLine(child: ChildProcess, logFile: string, needle: string, timeoutMs: number): Promise<void> {
  const out = createWriteStream(logFile, { flags: 'a' });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`worker pid ${child.pid}: no '${needle}' within ${timeoutMs} ms (see ${logFile})`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes(needle)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker pid ${child.pid} exited (${code ?? signal}) before '${needle}': ${seen.slice(-1000)}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `cleanup` once on SIGINT/SIGTERM, then exits; returns a function that removes the hooks. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping what the benchmark started…\n`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Stops a profile's stack without a handle on it (an interrupt during start-up). */
export async function stopProfile(profile: string): Promise<void> {
  await stackSh('stop', profileEnv(profile)).catch(() => undefined);
}
