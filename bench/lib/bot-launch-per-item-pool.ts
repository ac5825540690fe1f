// The bot bench's baseline pool: the production BrowserPool's behaviour (a fresh context per bot
// run, tracing and evidence, abort), but a Chromium launched for every context and closed after it:
// what a bot worker without a shared browser would pay per item.
import type { BrowserContext, Page } from 'playwright-core';
import { BrowserPool, type ContextLease, type WithContextOptions } from '../../bots/runtime/browser-pool';
import { ContextSlots } from '../../bots/runtime/context-slots';

/** What a bot activity needs of a pool (BotRuntime uses only `withContext`). */
export type ContextPool = Pick<BrowserPool, 'withContext'>;

export interface LaunchPerItemPoolOptions {
  /** Chromium binary. Default: env CHROMIUM_PATH, else /usr/bin/chromium. */
  executablePath?: string;
  /** Bot runs at once (each with its own Chromium); further callers wait in FIFO order. Default 2. */
  maxContexts?: number;
}

export class LaunchPerItemPool implements ContextPool {
  readonly #executablePath: string;
  readonly #slots: ContextSlots;
  readonly #open = new Set<BrowserPool>();
  #launched = 0;
  #closed = false;

  constructor(opts: LaunchPerItemPoolOptions = {}) {
    this.#executablePath = opts.executablePath ?? (process.env.CHROMIUM_PATH || '/usr/bin/chromium');
    this.#slots = new ContextSlots(opts.maxContexts ?? 2);
  }

  stats(): { active: number; waiting: number; launched: number } {
    return { active: this.#slots.active, waiting: this.#slots.waiting, launched: this.#launched };
  }

  async withContext<T>(fn: (page: Page, context: BrowserContext, lease: ContextLease) => Promise<T>, opts: WithContextOptions = {}): Promise<T> {
    if (this.#closed) throw new Error('LaunchPerItemPool is closed');
    await this.#slots.acquire(opts.signal);
    // A one-context BrowserPool per item: the same launch flags, tracing, evidence and abort handling
    // as production, so the only difference measured is the launch and close of the browser (and,
    // with it, the signed-in session production keeps: each item here signs in afresh).
    const pool = new BrowserPool({ executablePath: this.#executablePath, maxContexts: 1, maxKeptSessions: 0 });
    this.#open.add(pool);
    try {
      return await pool.withContext(fn, opts);
    } finally {
      this.#launched += pool.stats().launched;
      this.#open.delete(pool);
      await pool.close().catch(() => undefined);
      this.#slots.release();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#slots.failAll(new Error('LaunchPerItemPool closed while waiting for a context'));
    await Promise.all([...this.#open].map((p) => p.close().catch(() => undefined)));
  }
}

/**
 * BotRuntime.pool is typed as the BrowserPool class, whose private (#) fields make it nominal: no
 * other class can satisfy it structurally. defineBotActivity calls only `withContext`, which
 * `ContextPool` checks at compile time, so this one cast is safe. It goes away once
 * bots/runtime/browser-pool.ts exports such an interface and BotRuntime.pool uses it.
 */
export function asBrowserPool(pool: ContextPool): BrowserPool {
  return pool as BrowserPool;
}
