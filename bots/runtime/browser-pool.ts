import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ContextSlots } from './context-slots';
import { KeptSessions, type SessionKey } from './kept-sessions';
import { discardTracing, startTracing } from './tracing';

export interface BrowserPoolOptions {
  /** Chromium binary. Default: env CHROMIUM_PATH, else /usr/bin/chromium (never a downloaded browser). */
  executablePath?: string;
  /** Contexts open at once; further callers wait in FIFO order. Default 2. */
  maxContexts?: number;
  /** Extra Chromium flags, added after the fixed headless-server flags. Default none. */
  launchArgs?: string[];
  /** On abort, how long saving evidence may delay closing the context. Default 3 s. */
  abortEvidenceMs?: number;
  /** Signed-in contexts kept idle for the next step of the same login, across logins. Default
   *  2 × maxContexts (a worker's steps change logins: with only maxContexts kept, two steps of one
   *  login at once would evict the other login's session); 0 keeps none (every step gets a fresh
   *  context). Each login keeps at most its session cap (see SessionKey.maxIdle). */
  maxKeptSessions?: number;
  /** A kept context unused this long is closed. Default 5 minutes. */
  keptSessionIdleMs?: number;
}

export interface BotEvidence {
  screenshotPath?: string;
  tracePath?: string;
}

export interface WithContextOptions {
  /** Aborting saves evidence (when asked for, within `abortEvidenceMs`), closes the context and
   *  rejects with the signal's reason, carrying the evidence; the step's own outcome is ignored. */
  signal?: AbortSignal;
  /** Where a failure or abort saves `<name>.png` and `<name>.trace.zip`. Tracing runs only when given. */
  evidence?: { dir: string; name: string };
  /** Whether an abort with this reason is worth evidence (a timeout is; a cancelled run is not).
   *  Default: every abort. */
  evidenceOnAbort?: (reason: unknown) => boolean;
  /** The client login the step signs in with. Given, a context kept signed in as that login by an
   *  earlier step is reused (with its page), and this one is kept after a clean finish; a failed
   *  or aborted step's context is always closed. */
  session?: SessionKey;
}

/** What the step learns of the context it was given. */
export interface ContextLease {
  /** A context kept from an earlier step of the same login (probably still signed in). */
  reused: boolean;
  /** Do not keep this context after the step (the step doubts its state). */
  discard(): void;
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

/** One Chromium per bot-worker process, a bounded number of contexts at once: a fresh one per bot
 *  run, or one kept signed in by an earlier run of the same login (see `session`). */
export class BrowserPool {
  readonly #executablePath: string;
  readonly #args: string[];
  readonly #slots: ContextSlots;
  readonly #abortEvidenceMs: number;
  readonly #contexts = new Set<BrowserContext>();
  #browser: Promise<Browser> | undefined;
  readonly #kept: KeptSessions;
  #launched = 0;
  #reused = 0;
  #closing: Promise<void> | undefined;

  constructor(opts: BrowserPoolOptions = {}) {
    const { executablePath, maxContexts, launchArgs, abortEvidenceMs, maxKeptSessions, keptSessionIdleMs } = {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      maxContexts: 2,
      launchArgs: [],
      abortEvidenceMs: 3_000,
      keptSessionIdleMs: 5 * 60_000,
      ...opts,
    };
    this.#kept = new KeptSessions({ max: maxKeptSessions ?? 2 * maxContexts, idleMs: keptSessionIdleMs });
    this.#abortEvidenceMs = abortEvidenceMs;
    this.#executablePath = executablePath;
    this.#args = [...BASE_ARGS, ...launchArgs];
    this.#slots = new ContextSlots(maxContexts);
  }

  /** `kept`: idle signed-in contexts; `reused`: steps that got a kept context. */
  stats(): { active: number; waiting: number; launched: number; kept: number; reused: number } {
    return { active: this.#slots.active, waiting: this.#slots.waiting, launched: this.#launched, kept: this.#kept.size, reused: this.#reused };
  }

  async withContext<T>(fn: (page: Page, context: BrowserContext, lease: ContextLease) => Promise<T>, opts: WithContextOptions = {}): Promise<T> {
    const { signal, evidence, evidenceOnAbort = () => true, session } = opts;
    this.#assertOpen();
    await this.#slots.acquire(signal);
    let closeContext: (() => Promise<void>) | undefined;
    let keep: (() => Promise<void>) | undefined;
    try {
      signal?.throwIfAborted();
      const kept = session && this.#kept.take(session);
      if (kept) this.#reused += 1;
      const context = kept?.context ?? (await (await this.#getBrowser()).newContext());
      this.#contexts.add(context);
      // One shared close: an abort starts it, and the finally below waits for that same close.
      const closing = once(() => context.close().catch(() => undefined));
      closeContext = async () => {
        this.#contexts.delete(context);
        await closing();
      };
      if (evidence) await startTracing(context, { screenshots: true, snapshots: true });
      const page = kept?.page ?? (await context.newPage());
      let doubted = false;
      const lease: ContextLease = { reused: kept !== undefined, discard: () => void (doubted = true) };
      try {
        const onAbort = async (): Promise<void> => {
          if (evidence && evidenceOnAbort(signal?.reason)) await saveEvidence(signal?.reason, page, context, evidence, this.#abortEvidenceMs);
          await closing();
        };
        const result = await abortable(fn(page, context, lease), onAbort, signal);
        if (session && !doubted && !signal?.aborted && !page.isClosed()) {
          keep = async () => {
            this.#contexts.delete(context);
            // The step's trace is evidence of that step only; the next one starts its own.
            await discardTracing(context);
            if (this.#closing) await closing();
            else this.#kept.keep(session, { context, page });
          };
        }
        return result;
      } catch (error) {
        if (evidence && !signal?.aborted) await saveEvidence(error, page, context, evidence, 10_000);
        throw error;
      }
    } finally {
      const stays = keep && (await keep().then(() => true, () => false));
      if (!stays) await closeContext?.();
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
    await this.#kept.closeAll();
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

/** Once aborted, the outcome is the abort: rejected with its reason after `onAbort` (evidence,
 *  then closing the context, which makes every pending page call inside `work` fail fast). */
function abortable<T>(work: Promise<T>, onAbort: () => Promise<void>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    let aborted = false;
    const abort = (): void => {
      aborted = true;
      void onAbort()
        .catch(() => undefined)
        .finally(() => reject(signal.reason));
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    work
      .then(
        (value) => aborted || resolve(value),
        (error: unknown) => aborted || reject(error),
      )
      .finally(() => signal.removeEventListener('abort', abort));
  });
}

/** `work`, or undefined once `ms` have passed: evidence must not hold a context open for long. */
function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function saveEvidence(error: unknown, page: Page, context: BrowserContext, where: { dir: string; name: string }, budgetMs: number): Promise<void> {
  const base = join(where.dir, where.name.replace(/[^A-Za-z0-9._-]+/g, '_'));
  const evidence: BotEvidence = {};
  const deadline = Date.now() + budgetMs;
  try {
    await mkdir(where.dir, { recursive: true });
    // A page hung on a navigation (the client app stopped answering) cannot be photographed until
    // the load stops: stop it first, so the screenshot shows what the page had got to.
    await within(
      page.context().newCDPSession(page).then((cdp) => cdp.send('Page.stopLoading')),
      Math.min(1_000, budgetMs / 3),
    ).catch(() => undefined);
    await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: Math.max(500, deadline - Date.now()) });
    evidence.screenshotPath = `${base}.png`;
  } catch {
    // A crashed page has no screenshot; the trace may still be there.
  }
  try {
    const stopped = await within(
      context.tracing.stop({ path: `${base}.trace.zip` }).then(() => true),
      Math.max(500, deadline - Date.now()),
    );
    if (stopped) evidence.tracePath = `${base}.trace.zip`;
  } catch {
    // Tracing may have died with the context.
  }
  if (typeof error === 'object' && error !== null) Object.assign(error, { evidence });
}
