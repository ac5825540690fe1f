// Benchmark: items per second for a bot step (ClaimReview's extractClaim against the sandbox claims
// system) three ways in one run: a pooled bot worker (one Chromium per process, a fresh context per
// activity), a bot worker that launches a Chromium per item, and a bare Playwright loop (the limit).
//   npm run bench:bots                                   # 200 items per mode, 2 at a time
//   npm run bench:bots -- --concurrency 4                # 4 at a time
//   npm run bench:bots -- --quick                        # smoke check: 20 items per mode
//   npm run bench:bots -- --profile                      # one step's time line, call by call (no stack)
// Every run writes bench/out/bot-throughput.json (the latest, for `npm run bench`) beside a stamped copy.
// Starts its own stack (profile `bench-bots`: Temporal and Redis), runs the workers and the claims
// sandbox in this process, stops everything at the end, also on failure. Exits 1 if an item failed
// or the pooled worker was not faster than launching a browser per item.
import { execFileSync } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { LoginSessions } from '../bots/runtime/login-sessions';
import { loadConfig } from '../platform/config';
import { redisOptions } from '../platform/tls';
import { connectClient, connectWorker, type TemporalClient, type WorkerTemporal } from '../platform/temporal';
import { runBotBench, type BotBenchConfig } from './lib/bot-bench';
import { profileBotStep, profileMarkdown } from './lib/bot-step-profile';
import { consoleTable, markdownSection, ratioLines } from './lib/bot-report';
import { describeMachine, machine, revision } from './lib/machine';
import { writeJson, writeResultsSection } from './lib/results';
import { onInterrupt, startStack, stopProfile, type BenchStack } from './lib/stack';

const PROFILE = 'bench-bots';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: process.env.BENCH_BOT_ITEMS ?? '200' },
    concurrency: { type: 'string', default: process.env.BENCH_BOT_CONCURRENCY ?? '2' },
    warmup: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    steps: { type: 'string', default: '15' },
  },
});
const int = (name: string, raw: string | undefined, min: number): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min} (got ${raw})`);
  return value;
};
const concurrency = int('concurrency', flags.concurrency, 1);
const cfg: BotBenchConfig = {
  items: flags.quick ? 20 : int('items', flags.items, 1),
  concurrency,
  warmup: int('warmup', flags.warmup ?? String(flags.quick ? concurrency : 5 * concurrency), 0),
  rounds: int('rounds', flags.rounds, 1),
};
// One section per concurrency, so a C = 4 run does not replace the C = 2 figures.
const SECTION = concurrency === 2 ? 'bot-throughput' : `bot-throughput-c${concurrency}`;

const log = (line: string): void => console.log(line);
// Worker state changes at INFO would bury the figures; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

let stack: BenchStack | undefined;
let client: TemporalClient | undefined;
let worker: WorkerTemporal | undefined;
let redis: Redis | undefined;
async function cleanup(): Promise<void> {
  redis?.disconnect();
  await client?.close().catch(() => undefined);
  await worker?.close().catch(() => undefined);
  // The profile starts no stack: nothing to stop.
  if (flags.profile) return;
  await (stack ? stack.stop() : stopProfile(PROFILE));
}
const removeHooks = onInterrupt(cleanup);

const uptime = (): string => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

/** The stamped JSON, and the same as `<name>.json`: the fixed name `npm run bench` reads. */
async function writeLatestJson(name: string, data: unknown): Promise<string> {
  const stamped = await writeJson(name, data);
  const latest = join(dirname(stamped), `${name}.json`);
  await copyFile(stamped, latest);
  return latest;
}

/** `--profile`: where one step's time goes, call by call, written to its own RESULTS.md section. */
async function profile(): Promise<number> {
  const host = machine();
  const steps = int('steps', flags.steps, 1);
  log(`bot step profile: ${steps} steps per way, one at a time; ${describeMachine(host)}; before: ${uptime()}`);
  const profiles = await profileBotStep({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', steps, log });
  const after = uptime();
  const markdown = profileMarkdown(profiles);
  log(`\n${markdown}\n\nuptime: ${after}`);
  const rev = revision();
  const date = new Date().toISOString();
  log(`wrote ${await writeLatestJson('bot-step-profile', { bench: 'bot-step-profile', date, revision: rev, machine: host, uptime: after, profiles })}`);
  if (flags.quick) return 0;
  const section = [
    '## Bots: one ClaimReview extract step, call by call (`npm run bench:bots -- --profile`)',
    '',
    `${date.slice(0, 10)}, commit \`${rev.commit}\`${rev.dirty ? ' (with uncommitted changes)' : ''}, ${describeMachine(host)}; \`uptime\` at the end: \`${after}\`.`,
    `One step at a time against the in-process claims sandbox (one login, one untimed step first), ${steps} steps per way; each line is the median over the steps ` +
      'of when a Playwright call started (from the step’s start) and how long it took; ↳ lines are the requests the sandbox served inside the call above them, timed by the server. ' +
      'The production ways run the real `extractClaim` activity (`defineBotActivity`: credentials, heartbeats, tracing, the screenshot artifact) as an activity attempt without a server.',
    '',
    markdown,
  ].join('\n');
  log(`rewrote the bot-step-profile section of ${await writeResultsSection('bot-step-profile', section)}`);
  return 0;
}

async function main(): Promise<number> {
  if (flags.profile) return profile();
  const host = machine();
  log(`bot throughput benchmark: ${cfg.items} items per mode, ${cfg.concurrency} at a time${flags.quick ? ' (quick)' : ''}; ${describeMachine(host)}`);
  log(`before: ${uptime()}`);
  stack = await startStack(PROFILE, log);
  // The same configuration (and so the same payload codec) as the stack's own workers get.
  const config = loadConfig({ ...process.env, ...stack.env });
  client = await connectClient(config);
  worker = await connectWorker(config);
  // The login gate as the bot worker has it: a slot per step in the stack's Redis.
  redis = new Redis(config.redis.url, redisOptions(config.redis, { maxRetriesPerRequest: null }));
  const sessions = new LoginSessions(redis, { prefix: `${config.redis.prefix}:bench-bots`, leaseMs: config.loginLeaseMs });
  const result = await runBotBench({ ...cfg, temporal: worker.options, client: client.client, chromiumPath: config.chromiumPath, sessions, log });
  const after = uptime();

  log('');
  log(consoleTable(result));
  log('');
  for (const line of ratioLines(result)) log(line);
  log(`Browsers launched: pooled ${result.browsersLaunched.pooled}, launch per item ${result.browsersLaunched.launchPerItem}.`);
  log(`Machine load (1-min average) ${result.loadAvg.start.toFixed(1)} when timing began, ${result.loadAvg.end.toFixed(1)} when it ended (${host.cores} cores); uptime: ${after}`);
  log('');
  for (const c of result.checks) log(`ok    ${c}`);
  for (const c of result.failures) log(`FAIL  ${c}`);
  for (const f of result.itemFailures) log(`      ${f}`);

  const rev = revision();
  const date = new Date().toISOString();
  const json = await writeLatestJson('bot-throughput', { bench: 'bot-throughput', date, revision: rev, machine: host, uptime: after, quick: flags.quick, ...result });
  log(`\nwrote ${json}`);
  if (result.failures.length) {
    log('bench/RESULTS.md left unchanged: a check failed');
    return 1;
  }
  if (flags.quick) {
    log('bench/RESULTS.md left unchanged: --quick is a smoke check, not a figure');
    return 0;
  }
  log(`rewrote the ${SECTION} section of ${await writeResultsSection(SECTION, markdownSection(result, { machine: host, rev, date: date.slice(0, 10), uptime: after }))}`);
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(err);
} finally {
  await cleanup();
  removeHooks();
}
process.exit(code);
