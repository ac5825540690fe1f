import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ContextSlots } from './context-slots';
import { startTracing } from './tracing';

export interface BrowserPoolOptions {
  /** Chromium binary. Default: env CHROMIUM_PATH, else /usr/bin/chromium (never a downloaded browser). */
  executablePath?: string;
  /** Contexts open at once; further callers wait in FIFO order. Default 2. */
  maxContexts?: number;
  /** Extra Chromium flags, added after the fixed headless-server flags. Default none. */
  launchArgs?: string[];
}

export interface BotEvidence {
  screenshotPath?: string;
  tracePath?: string;
}

export interface WithContextOptions {
  /** Aborting closes the context at once and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where a failure saves `<name>.png` and `<name>.trace.zip`. Tracing runs only when given. */
  evidence?: { dir: string; name: string };
}

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The evidence a failed bot run left behind, if the pool attached any to the error. */
export function evidenceOf(error: unknown): BotEvidence | undefined {
  return typeof error === 'object' && error !== null && 'evidence' in error ? (error.evidence as BotEvidence) : undefined;
}

/** One Chromium per bot-worker process, a fresh context per bot run, a bounded number at once. */
export class BrowserPool {
  readonly #executablePath: string;
  readonly #args: string[];
  readonly #slots: ContextSlots;
  readonly #contexts = new Set<BrowserContext>();
  #browser: Promise<Browser> | undefined;
  #launched = 0;
  #closing: Promise<void> | undefined;

  constructor(opts: BrowserPoolOptions = {}) {
    const { executablePath, maxContexts, launchArgs } = {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      maxContexts: 2,
      launchArgs: [],
      ...opts,
    };
    this.#executablePath = executablePath;
    this.#args = [...BASE_ARGS, ...launchArgs];
    this.#slots = new ContextSlots(maxContexts);
  }

  stats(): { active: number; waiting: number; launched: number } {
    return { active: this.#slots.active, waiting: this.#slots.waiting, launched: this.#launched };
  }

  async withContext<T>(fn: (page: Page, context: BrowserContext) => Promise<T>, opts: WithContextOptions = {}): Promise<T> {
    const { signal, evidence } = opts;
    this.#assertOpen();
    await this.#slots.acquire(signal);
    let closeContext: (() => Promise<void>) | undefined;
    try {
      signal?.throwIfAborted();
      const browser = await this.#getBrowser();
      const context = await browser.newContext();
      this.#contexts.add(context);
      // One shared close: an abort starts it, and the finally below waits for that same close.
      const closing = once(() => context.close().catch(() => undefined));
      closeContext = async () => {
        this.#contexts.delete(context);
        await closing();
      };
      if (evidence) await startTracing(context, { screenshots: true, snapshots: true });
      const page = await context.newPage();
      try {
        return await abortable(fn(page, context), closing, signal);
      } catch (error) {
        if (evidence && !signal?.aborted) await saveEvidence(error, page, context, evidence);
        throw error;
      }
    } finally {
      await closeContext?.();
      this.#slots.release();
    }
  }

  /** Idempotent; runs every cleanup step and reports their failures together at the end. */
  close(): Promise<void> {
    this.#closing ??= this.#closeOnce();
    return this.#closing;
  }

  async #closeOnce(): Promise<void> {
    const failures: unknown[] = [];
    this.#slots.failAll(new Error('BrowserPool closed while waiting for a context'));
    await Promise.all([...this.#contexts].map((c) => c.close().catch((e: unknown) => failures.push(e))));
    this.#contexts.clear();
    const launching = this.#browser;
    this.#browser = undefined;
    const browser = launching ? await launching.catch(() => undefined) : undefined;
    if (browser) await browser.close().catch((e: unknown) => failures.push(e));
    if (failures.length > 0) throw new AggregateError(failures, `BrowserPool.close: ${failures.length} step(s) failed`);
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('BrowserPool is closed');
  }

  async #getBrowser(): Promise<Browser> {
    this.#assertOpen();
    const current = (this.#browser ??= this.#launch());
    const browser = await current;
    if (browser.isConnected()) return browser;
    // Crashed between the 'disconnected' event and now: launch a replacement.
    if (this.#browser === current) this.#browser = undefined;
    this.#assertOpen();
    return (this.#browser ??= this.#launch());
  }

  #launch(): Promise<Browser> {
    const launching: Promise<Browser> = chromium
      .launch({ executablePath: this.#executablePath, headless: true, args: this.#args })
      .then((browser) => {
        this.#launched += 1;
        browser.on('disconnected', () => {
          if (this.#browser === launching) this.#browser = undefined;
        });
        return browser;
      });
    // A failed launch must not stick: the next caller tries again.
    launching.catch(() => {
      if (this.#browser === launching) this.#browser = undefined;
    });
    return launching;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}

function abortable<T>(work: Promise<T>, closeContext: () => Promise<void>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason);
      // Closing the context makes every pending page call inside `work` fail fast.
      void closeContext();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function saveEvidence(error: unknown, page: Page, context: BrowserContext, where: { dir: string; name: string }): Promise<void> {
  const base = join(where.dir, where.name.replace(/[^A-Za-z0-9._-]+/g, '_'));
  const evidence: BotEvidence = {};
  try {
    await mkdir(where.dir, { recursive: true });
    await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 10_000 });
    evidence.screenshotPath = `${base}.png`;
  } catch {
    // A crashed page has no screenshot; the trace may still be there.
  }
  try {
    await context.tracing.stop({ path: `${base}.trace.zip` });
    evidence.tracePath = `${base}.trace.zip`;
  } catch {
    // Tracing may have died with the context.
  }
  if (typeof error === 'object' && error !== null) Object.assign(error, { evidence });
}
