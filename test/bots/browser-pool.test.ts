// BrowserPool with real headless Chromium: concurrency bound, abort, evidence, crash and close.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimsSystem } from '../../bots/claims-system/claims-system';
import { BrowserPool, evidenceOf } from '../../bots/runtime/browser-pool';
import { ACME_BOT_LOGIN } from '../../sandbox/claims-system/seed';
import { readZipEntries, sleep, startSandbox, tempDir, type RunningSandbox } from './sandbox-harness';

const dir = tempDir('browser-pool');
const pool = new BrowserPool({ maxContexts: 2 });
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ ledgerPath: join(dir.path, 'ledger.jsonl') });
});

afterAll(async () => {
  await pool.close();
  await sandbox?.close();
  dir.remove();
});

describe('BrowserPool', () => {
  it('never runs more than maxContexts at once, reusing one browser', async () => {
    let running = 0;
    let peak = 0;
    let peakWaiting = 0;
    const contexts = new Set<unknown>();
    const runs = Array.from({ length: 5 }, (_, i) =>
      pool.withContext(async (page, context) => {
        running += 1;
        peak = Math.max(peak, running);
        peakWaiting = Math.max(peakWaiting, pool.stats().waiting);
        contexts.add(context);
        await page.goto(`${sandbox.url}/login`);
        await sleep(100);
        running -= 1;
        return i;
      }),
    );
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(peakWaiting).toBeGreaterThan(0);
    expect(contexts.size).toBe(5);
    expect(pool.stats()).toEqual({ active: 0, waiting: 0, launched: 1, kept: 0, reused: 0 });
  });

  it('closes the context promptly and rejects when the signal aborts', async () => {
    const controller = new AbortController();
    let pageClosed = false;
    const started = Date.now();
    const run = pool.withContext(
      async (page) => {
        page.on('close', () => {
          pageClosed = true;
        });
        setTimeout(() => controller.abort(new Error('activity cancelled')), 100);
        await page.waitForTimeout(20_000);
      },
      { signal: controller.signal },
    );
    await expect(run).rejects.toThrow('activity cancelled');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(pageClosed).toBe(true);
    expect(pool.stats().active).toBe(0);
  });

  it('gives up waiting for a slot when aborted in the queue', async () => {
    const release: Array<() => void> = [];
    const holders = [1, 2].map(() => pool.withContext(() => new Promise<void>((resolve) => release.push(resolve))));
    while (release.length < 2) await sleep(10);
    const controller = new AbortController();
    const queued = pool.withContext(async () => 'ran', { signal: controller.signal });
    await sleep(20);
    expect(pool.stats().waiting).toBe(1);
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.stats().waiting).toBe(0);
    for (const r of release) r();
    await Promise.all(holders);
  });

  it('saves a screenshot and a trace (without the password) when the bot fails', async () => {
    const evidenceDir = join(dir.path, 'evidence');
    const error = await pool
      .withContext(
        async (page) => {
          const claims = new ClaimsSystem(page, sandbox.url);
          await claims.login(ACME_BOT_LOGIN);
          await claims.openClaim('CLM-1001');
          throw new Error('bot step failed');
        },
        { evidence: { dir: evidenceDir, name: 'run 42/attempt 1' } },
      )
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('bot step failed');
    const evidence = evidenceOf(error);
    expect(evidence).toEqual({
      screenshotPath: join(evidenceDir, 'run_42_attempt_1.png'),
      tracePath: join(evidenceDir, 'run_42_attempt_1.trace.zip'),
    });
    const png = readFileSync(evidence?.screenshotPath ?? '');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(statSync(evidence?.tracePath ?? '').size).toBeGreaterThan(1_000);
    const entries = readZipEntries(evidence?.tracePath ?? '');
    const everything = Buffer.concat([...entries.values()]).toString('latin1');
    expect(everything).toContain('CLM-1001');
    expect(everything).not.toContain(ACME_BOT_LOGIN.password);
  });

  it('saves evidence before closing when aborted (a hard timeout), and the step cannot outrun the abort', async () => {
    const evidenceDir = join(dir.path, 'abort-evidence');
    const controller = new AbortController();
    let pageClosed = false;
    const run = pool.withContext(
      async (page) => {
        page.on('close', () => (pageClosed = true));
        await page.goto(`${sandbox.url}/login`);
        setTimeout(() => controller.abort(Object.assign(new Error('hard timeout'), { name: 'BotStepTimedOut' })), 50);
        // A step that swallows the failures the close causes and then claims success.
        await page.waitForTimeout(20_000).catch(() => undefined);
        return 'done anyway';
      },
      { signal: controller.signal, evidence: { dir: evidenceDir, name: 'timed-out' } },
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'BotStepTimedOut', message: 'hard timeout' });
    expect(pageClosed).toBe(true);
    expect(evidenceOf(error)).toEqual({ screenshotPath: join(evidenceDir, 'timed-out.png'), tracePath: join(evidenceDir, 'timed-out.trace.zip') });
    expect(readZipEntries(join(evidenceDir, 'timed-out.trace.zip')).size).toBeGreaterThan(0);
    expect(pool.stats().active).toBe(0);
  });

  it('saves nothing when the bot succeeds', async () => {
    const evidenceDir = join(dir.path, 'no-evidence');
    await pool.withContext(async (page) => page.goto(`${sandbox.url}/login`), { evidence: { dir: evidenceDir, name: 'ok' } });
    expect(existsSync(evidenceDir)).toBe(false);
  });

  it('relaunches a crashed browser, and close() is idempotent', async () => {
    const own = new BrowserPool({ maxContexts: 1 });
    await own.withContext(async (_page, context) => {
      await context.browser()?.close(); // stands in for a Chromium crash
    });
    expect(await own.withContext(async (page) => (await page.goto(`${sandbox.url}/login`))?.status())).toBe(200);
    expect(own.stats().launched).toBe(2);
    await Promise.all([own.close(), own.close()]);
    await own.close();
    await expect(own.withContext(async () => 'too late')).rejects.toThrow('closed');
  });
});
