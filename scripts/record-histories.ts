// `npm run replay:record`: records the replay gate's fixtures from real runs. A private stack
// (profile `replay-record`: Temporal dev server, Redis, the sandbox apps), the real orchestration
// and bot worker processes, the API in-process; payloads encrypted with the fixtures' key
// (test/replay/history-fixtures.ts), as production encrypts them. Each process's scenario
// (each process's replay-scenario.ts) writes workflows/<process>/histories/<point>.json; the folders are
// replaced only once every scenario has run. Run it after a legitimate workflow change and commit
// the fixtures with the change.
//   npm run replay:record                                          # replace every recording
//   npm run replay:record -- --keep manual-task/before-cooling-off  # keep a process's last one in histories/<name>/
// Keep the last recording of a process when its change went out behind patched() and runs of the
// old code may still be in flight; delete the kept folder when the patch is deprecated.
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { redisOptions } from '../platform/tls';
import { buildApp } from '../api/app';
import { ArtifactStore } from '../activities/artifacts';
import { TaskIndex } from '../inbox/task-index';
import { loadConfig } from '../platform/config';
import { connectClient } from '../platform/temporal';
import { catalogue } from '../platform/process-catalogue';
import { onInterrupt, ROOT, startStack } from '../bench/lib/stack';
import { testAuth } from '../test/support/auth';
import { FIXTURE_PAYLOAD_KEYS } from '../test/replay/history-fixtures';
import { Recorder } from './replay/recorder';
import { discoverScenarios } from './replay/scenarios';

const PROFILE = 'replay-record';
const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

const { values: flags } = parseArgs({ options: { keep: { type: 'string', multiple: true, default: [] } } });
const keep = new Map<string, string>();
for (const entry of flags.keep) {
  const [processName, name, extra] = entry.split('/');
  if (!processName || !name || extra !== undefined || !catalogue.find(processName) || !/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    log(`--keep ${entry}: give <process>/<name>, a process of the catalogue and a folder name (lower-case letters, digits, . _ -)`);
    process.exit(2);
  }
  if (existsSync(join(ROOT, 'workflows', processName, 'histories', name))) {
    log(`--keep ${entry}: workflows/${processName}/histories/${name}/ exists already`);
    process.exit(2);
  }
  keep.set(processName, name);
}

const SCENARIOS = await discoverScenarios(catalogue);
const missing = catalogue.processes.map((p) => p.name).filter((name) => !SCENARIOS[name]);
if (missing.length > 0) {
  log(`no recording scenario for ${missing.join(', ')}: add workflows/<process>/replay-scenario.ts (docs/AUTHORING.md)`);
  process.exit(1);
}

// The stack, both workers and this process encrypt with the fixtures' key and nothing else.
process.env.TANDEM_PAYLOAD_KEYS = FIXTURE_PAYLOAD_KEYS;
const began = performance.now();
const stack = await startStack(PROFILE, log);
const removeHooks = onInterrupt(() => stack.stop());
Object.assign(process.env, stack.env);
const config = loadConfig();
const { client, close } = await connectClient(config);
const redis = new Redis(config.redis.url, redisOptions(config.redis));
const out = mkdtempSync(join(tmpdir(), 'tandem-histories-'));
let failed = false;
try {
  const app = await buildApp({
    temporal: client,
    index: new TaskIndex(redis, { prefix: config.redis.prefix }),
    auth: testAuth(),
    logger: false,
    artifacts: new ArtifactStore(`${stack.env.TANDEM_STATE_DIR}/artifacts`),
  });
  const recorder = new Recorder(app, client, out, log);
  await stack.startWorkers(1, { LOG_LEVEL: 'info' });
  log('orchestration worker up, no bot worker yet: each run is recorded at its start');
  const rest: [string, () => Promise<void>][] = [];
  for (const [name, scenario] of Object.entries(SCENARIOS)) rest.push([name, await scenario(recorder)]);
  await stack.startWorkers(1, { LOG_LEVEL: 'info' }, 'bot');
  await Promise.all(rest.map(([name, finish]) => finish().then(() => log(`${name}: recorded`))));
  await app.close();
  replaceFixtures(out);
  const total = recorder.written.reduce((sum, w) => sum + w.bytes, 0);
  log(`${recorder.written.length} histories (${(total / 1024).toFixed(0)} KiB) in ${((performance.now() - began) / 1000).toFixed(0)} s; commit workflows/*/histories/`);
} catch (err) {
  failed = true;
  log(`recording failed, fixtures unchanged: ${(err as Error).stack ?? String(err)}`);
  log(`logs of the stack and workers: ${stack.env.TANDEM_STATE_DIR}/logs`);
} finally {
  removeHooks();
  await redis.quit().catch(() => undefined);
  await close();
  await stack.stop();
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

/** Each recorded process's latest recording (the files directly in histories/) becomes this one; kept folders stay. */
function replaceFixtures(from: string): void {
  for (const processName of readdirSync(from)) {
    const target = join(ROOT, 'workflows', processName, 'histories');
    mkdirSync(target, { recursive: true });
    const kept = keep.get(processName);
    if (kept) mkdirSync(join(target, kept));
    for (const file of readdirSync(target).filter((f) => f.endsWith('.json'))) {
      if (kept) renameSync(join(target, file), join(target, kept, file));
      else rmSync(join(target, file));
    }
    cpSync(join(from, processName, 'histories'), target, { recursive: true });
    if (kept) log(`kept the previous recording of ${processName} in workflows/${processName}/histories/${kept}/`);
  }
}
