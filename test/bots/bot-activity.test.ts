// defineBotActivity on the real Temporal server, Redis and Chromium: an attempt never outlives
// its hard timeout, a cancelled bot closes its page, a retry resumes from the last heartbeated
// progress, and a bot waiting for a busy client login keeps heartbeating and gives its slot back.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type NativeConnection } from '@temporalio/worker';
import { ArtifactStore } from '../../activities/artifacts';
import { defineBotActivity, type BotRuntime } from '../../activities/bots/bot-activity';
import { StaticClientApps } from '../../activities/bots/client-apps';
import { EncryptedCredentialStore } from '../../activities/credentials';
import { BrowserPool } from '../../bots/runtime/browser-pool';
import { CredentialKeys } from '../../bots/runtime/credential-keys';
import { hardDeadlineAt } from '../../bots/runtime/hard-deadline';
import { LoginSessions } from '../../bots/runtime/login-sessions';
import type { RunBotInput, RunBotResult } from './fixtures/bot-workflows';
import { tempDir } from './sandbox-harness';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

const LOGIN = 'acme-health/claims-system';
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;
const dir = tempDir('bot-activity');
const taskQueue = uniqueId('bot-runtime');
const namespace = () => stackEnv().TANDEM_UNIT_NAMESPACE!;
const pool = new BrowserPool({ maxContexts: 2, abortEvidenceMs: 1_000 });
const artifacts = new ArtifactStore(join(dir.path, 'artifacts'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the steps saw, by name, for the assertions. */
const seen: Record<string, { startedAt?: number; closedAt?: number; abortedAt?: number }> = {};

let redis: Redis;
let sessions: LoginSessions;
let connection: NativeConnection;
let client: Client;
let closeClient: () => Promise<void>;
let worker: Worker;
let running: Promise<void>;

/** The fenced write step: waits for the test to have cancelled its run, then asks the fence. */
let cancelSent: Promise<void> = new Promise(() => undefined);
let sendCancel = (): void => undefined;
const fenced: { abortedBeforeFence?: boolean; refusal?: unknown; wrote?: boolean } = {};

/** A step that opens a page and then hangs until something closes it. */
const hangingStep = (key: string) =>
  async function (bot: Parameters<Parameters<typeof defineBotActivity>[1]>[0]): Promise<never> {
    seen[key] = { startedAt: Date.now() };
    await bot.page.setContent('<h1>Claim CLM-1001 under review</h1>');
    bot.page.on('close', () => (seen[key]!.closedAt = Date.now()));
    bot.signal.addEventListener('abort', () => (seen[key]!.abortedAt = Date.now()));
    await bot.page.waitForTimeout(120_000);
    throw new Error('the page outlived its bot');
  };

function activities(runtime: BotRuntime) {
  return {
    hangs: defineBotActivity(runtime, hangingStep('hangs')),
    hangsUntilCancelled: defineBotActivity(runtime, hangingStep('hangsUntilCancelled')),
    writesOnce: defineBotActivity(runtime, async (bot) => {
      await bot.page.setContent('<form><button>Submit adjudication</button></form>');
      sendCancel();
      await cancelSent;
      fenced.abortedBeforeFence = bot.signal.aborted;
      try {
        await bot.beforeWrite();
        fenced.wrote = true;
        return 'written';
      } catch (err) {
        fenced.refusal = err;
        throw err;
      }
    }),
    resumes: defineBotActivity(runtime, async (bot) => {
      await bot.page.setContent('<p>page 3 of the claims list</p>');
      if (bot.attempt === 1) {
        bot.progress({ claimsDone: 3 });
        await sleep(2_000); // the throttled heartbeat carrying it goes out
        // A worker that stops heartbeating (here: a step hogging the event loop) is given up on.
        const until = Date.now() + 3_000;
        while (Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        await bot.page.waitForTimeout(60_000);
      }
      return { attempt: bot.attempt, resume: bot.resume };
    }),
    signsIn: defineBotActivity(runtime, async (bot, args: { login: string }) => {
      const credential = await bot.credential(args.login);
      return { attempt: bot.attempt, username: credential.username, holders: await sessions.holders(args.login) };
    }),
    // The login declared up front: its slot is taken before the step gets a browser context.
    declaresLogin: defineBotActivity(
      runtime,
      async (bot, args: { login: string }) => {
        const credential = await bot.credential(args.login);
        return { username: credential.username, holders: await sessions.holders(args.login), contexts: runtime.pool.stats().active };
      },
      { login: (args) => args.login },
    ),
  };
}

beforeAll(async () => {
  const keys = new CredentialKeys({ file: join(dir.path, 'credentials-key') });
  keys.ensure();
  const credentials = new EncryptedCredentialStore({ file: join(dir.path, 'credentials.json'), keys });
  await credentials.put({ [LOGIN]: { username: 'bot.acme', password: PASSWORD, maxSessions: 1 } });
  redis = new Redis(stackEnv().REDIS_URL!);
  sessions = new LoginSessions(redis, { prefix: uniqueId('test-bot-logins'), leaseMs: 1_000, pollMinMs: 20, pollMaxMs: 100 });
  const runtime: BotRuntime = { pool, credentials, sessions, artifacts, apps: new StaticClientApps({}), heartbeatEveryMs: 100, hardTimeoutMarginMs: 3_000 };
  connection = await workerConnection();
  ({ client, close: closeClient } = await temporalClient(namespace()));
  const workflowsPath = fileURLToPath(new URL('./fixtures/bot-workflows.ts', import.meta.url));
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
  worker = await Worker.create({
    connection,
    namespace: namespace(),
    taskQueue,
    dataConverter: workerDataConverter(),
    workflowBundle: { code },
    activities: activities(runtime),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await pool.close();
  await closeClient?.();
  await connection?.close();
  redis?.disconnect();
  dir.remove();
});

function start(input: Omit<RunBotInput, 'taskQueue'>) {
  return client.workflow.start('runBot', { taskQueue, workflowId: uniqueId(`bot-${input.step}`), args: [{ ...input, taskQueue }] });
}

/** The pending activity's last heartbeat, decoded with the stack's payload keys. */
async function lastHeartbeat(handle: Awaited<ReturnType<typeof start>>): Promise<unknown> {
  const { raw } = await handle.describe();
  let payloads = (raw.pendingActivities?.[0]?.heartbeatDetails?.payloads ?? []) as Payload[];
  if (payloads.length === 0) return undefined;
  for (const codec of [...(workerDataConverter()?.payloadCodecs ?? [])].reverse()) payloads = await codec.decode(payloads);
  return defaultPayloadConverter.fromPayload(payloads[0]!);
}

/** When the server handed the (last) attempt to the worker: its start-to-close timeout counts from there. */
async function attemptStartedAt(handle: Awaited<ReturnType<typeof start>>): Promise<number> {
  const started = (await handle.fetchHistory()).events!.filter((e) => e.activityTaskStartedEventAttributes).at(-1)!;
  return Number(started.eventTime!.seconds) * 1000 + Math.floor((started.eventTime!.nanos ?? 0) / 1e6);
}

describe('defineBotActivity', () => {
  it('stops a hung step at its hard timeout: page closed, slot returned, screenshot and trace saved', async () => {
    const handle = await start({ step: 'hangs', startToCloseMs: 8_000, heartbeatTimeoutMs: 2_000, maxAttempts: 1 });
    const result = (await handle.result()) as RunBotResult;
    // Our own guard stopped it (a server-side timeout would read Timeout:START_TO_CLOSE).
    expect(result).toMatchObject({ outcome: 'failed', type: 'BotStepTimedOut' });
    // The guard fires 3 s (the margin) before the 8 s start-to-close timeout; closing fits in it.
    const startedAt = await attemptStartedAt(handle);
    expect(seen.hangs!.closedAt! - startedAt).toBeGreaterThan(4_000);
    expect(seen.hangs!.closedAt! - startedAt).toBeLessThan(8_000);
    expect(pool.stats().active).toBe(0);
    const { evidence } = (result as { details: Array<{ evidence: { screenshot: string; trace: string } }> }).details[0]!;
    expect(evidence.screenshot).toBe(`${handle.workflowId}/hangs-attempt1.png`);
    expect(evidence.trace).toBe(`${handle.workflowId}/hangs-attempt1.trace.zip`);
    expect(existsSync(artifacts.pathOf(evidence.screenshot))).toBe(true);
    expect(existsSync(artifacts.pathOf(evidence.trace))).toBe(true);
  });

  it('closes the page soon after the workflow cancels the step', async () => {
    const handle = await start({ step: 'hangsUntilCancelled', startToCloseMs: 60_000, heartbeatTimeoutMs: 2_000, maxAttempts: 1, cancelAfterMs: 1_000 });
    expect(await handle.result()).toEqual({ outcome: 'cancelled' });
    const { abortedAt, closedAt } = seen.hangsUntilCancelled!;
    // Cancellation reaches the activity with a heartbeat reply (throttled to 80% of 2 s).
    expect(closedAt! - abortedAt!).toBeLessThan(3_000);
    expect(pool.stats().active).toBe(0);
    // A cancelled run needs no evidence: the page is closed without taking any.
    expect(existsSync(artifacts.join(handle.workflowId, 'hangsUntilCancelled-attempt1.png'))).toBe(false);
  });

  it('refuses the write of a run with a cancel request even before a heartbeat brings the cancel', async () => {
    // A 60 s heartbeat timeout: heartbeats are throttled to 48 s, so no heartbeat reply can tell the step in time.
    let cancelled!: () => void;
    cancelSent = new Promise((resolve) => (cancelled = resolve));
    const ready = new Promise<void>((resolve) => (sendCancel = resolve));
    const handle = await start({ step: 'writesOnce', startToCloseMs: 60_000, heartbeatTimeoutMs: 60_000, maxAttempts: 3 });
    await ready;
    await handle.cancel();
    cancelled();
    // The fixture waits for the step to confirm the cancel: the step ended first, refusing to write, not retried.
    expect(await handle.result()).toMatchObject({ outcome: 'failed', type: 'RunCancelled' });
    expect(fenced.abortedBeforeFence).toBe(false); // the heartbeat had not brought it
    expect(fenced.wrote).toBeUndefined();
    expect(fenced.refusal).toMatchObject({ type: 'RunCancelled', nonRetryable: true });
    expect(pool.stats().active).toBe(0);
  });

  it('hands the last heartbeated progress to the retry after a heartbeat timeout', async () => {
    const handle = await start({ step: 'resumes', startToCloseMs: 30_000, heartbeatTimeoutMs: 2_000, maxAttempts: 3 });
    expect(await handle.result()).toEqual({ outcome: 'completed', value: { attempt: 2, resume: { claimsDone: 3 } } });
    await eventually(async () => pool.stats().active === 0, 'the first attempt closing its page', 15_000);
  });

  it('waits for a busy login while heartbeating (showing what it waits for), then holds and returns the slot', async () => {
    const elsewhere = await sessions.acquire(LOGIN, { limit: 1 }); // a bot on another worker
    const handle = await start({ step: 'signsIn', startToCloseMs: 30_000, heartbeatTimeoutMs: 2_000, maxAttempts: 1, args: { login: LOGIN } });
    await eventually(async () => JSON.stringify(await lastHeartbeat(handle)) === JSON.stringify({ waitingForLogin: LOGIN }), 'the waiting heartbeat', 10_000);
    await sleep(4_500); // more than twice the heartbeat timeout
    await elsewhere.release();
    const result = await handle.result();
    expect(result).toEqual({ outcome: 'completed', value: { attempt: 1, username: 'bot.acme', holders: 1 } });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(await sessions.holders(LOGIN)).toBe(0);
  });

  it('holds no browser context while waiting for a busy login it declared, and takes its slot once', async () => {
    const elsewhere = await sessions.acquire(LOGIN, { limit: 1 });
    const handle = await start({ step: 'declaresLogin', startToCloseMs: 30_000, heartbeatTimeoutMs: 2_000, maxAttempts: 1, args: { login: LOGIN } });
    await eventually(async () => JSON.stringify(await lastHeartbeat(handle)) === JSON.stringify({ waitingForLogin: LOGIN }), 'the waiting heartbeat', 10_000);
    expect(pool.stats().active).toBe(0);
    await elsewhere.release();
    expect(await handle.result()).toEqual({ outcome: 'completed', value: { username: 'bot.acme', holders: 1, contexts: 1 } });
    expect(await sessions.holders(LOGIN)).toBe(0);
  });

  it('gives up waiting for a login when cancelled, leaving no slot taken', async () => {
    const elsewhere = await sessions.acquire(LOGIN, { limit: 1 });
    const handle = await start({ step: 'signsIn', startToCloseMs: 30_000, heartbeatTimeoutMs: 2_000, maxAttempts: 1, cancelAfterMs: 1_000, args: { login: LOGIN } });
    expect(await handle.result()).toEqual({ outcome: 'cancelled' });
    expect(await sessions.holders(LOGIN)).toBe(1);
    await elsewhere.release();
    expect(await sessions.holders(LOGIN)).toBe(0);
    expect(pool.stats().active).toBe(0);
  });
});

describe('hardDeadlineAt', () => {
  const base = { scheduledTimestampMs: 1_000_000, startedAtMs: 1_010_000 };
  it('stops a margin before the nearer of start-to-close and schedule-to-close', () => {
    expect(hardDeadlineAt({ ...base, startToCloseTimeoutMs: 180_000, scheduleToCloseTimeoutMs: 0 })).toBe(1_010_000 + 180_000 - 5_000);
    expect(hardDeadlineAt({ ...base, startToCloseTimeoutMs: 10_000, scheduleToCloseTimeoutMs: 0 })).toBe(1_010_000 + 10_000 - 1_000);
    expect(hardDeadlineAt({ ...base, startToCloseTimeoutMs: 180_000, scheduleToCloseTimeoutMs: 60_000, marginMs: 0 })).toBe(1_060_000);
    expect(hardDeadlineAt({ ...base, startToCloseTimeoutMs: 0, scheduleToCloseTimeoutMs: 0 })).toBeUndefined();
  });
});
