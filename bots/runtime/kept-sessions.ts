// Signed-in browser contexts kept between bot steps, per client login: the next step for the same
// login reuses one instead of paying a new context, a new page and a sign-in. Only idle contexts
// live here; a context in use belongs to its step. Keeping one holds no login session slot (those
// gate concurrent use, see LoginSessions): if the client app expired or replaced the session
// meanwhile, the page object lands on the login page and signs in again.
import type { BrowserContext, Page } from 'playwright-core';

/** Which signed-in session a context carries: the login's name and a fingerprint of the user
 *  (and password) it signed in with, so a changed credential never reuses the old session. */
export interface SessionKey {
  login: string;
  fingerprint: string;
  /** Idle contexts kept for this login at most (its session cap: the sessions the client app
   *  allows it); the longest idle of the login goes first. Default: no cap of its own. */
  maxIdle?: number;
}

export interface KeptSession {
  context: BrowserContext;
  page: Page;
}

interface Idle extends KeptSession {
  fingerprint: string;
  timer: NodeJS.Timeout;
}

export interface KeptSessionsOptions {
  /** Idle contexts kept at most, across logins; the longest idle goes first. */
  max: number;
  /** An idle context is closed after this long unused. */
  idleMs: number;
}

export class KeptSessions {
  readonly #opts: KeptSessionsOptions;
  /** Per login, the most recently kept last. */
  readonly #idle = new Map<string, Idle[]>();
  /** Every idle context in the order kept, for evicting the longest idle. */
  readonly #order: Idle[] = [];

  constructor(opts: KeptSessionsOptions) {
    if (!Number.isInteger(opts.max) || opts.max < 0) throw new RangeError(`max kept sessions must be a non-negative integer, got ${opts.max}`);
    this.#opts = opts;
  }

  get size(): number {
    return this.#order.length;
  }

  /** A live idle context signed in as `key`, if any. Contexts of the same login signed in as
   *  someone else (a changed credential) are closed on the way: never reused. */
  take(key: SessionKey): KeptSession | undefined {
    const list = this.#idle.get(key.login);
    if (!list) return undefined;
    for (const stale of list.filter((s) => s.fingerprint !== key.fingerprint)) this.#drop(stale, true);
    for (;;) {
      const found = this.#idle.get(key.login)?.at(-1);
      if (!found) return undefined;
      this.#drop(found, false);
      if (!found.page.isClosed() && found.context.browser()?.isConnected() !== false) return { context: found.context, page: found.page };
      void found.context.close().catch(() => undefined);
    }
  }

  /** Keeps an idle signed-in context for the next step of `key` (or closes it when max is 0). */
  keep(key: SessionKey, session: KeptSession): void {
    if (this.#opts.max === 0) {
      void session.context.close().catch(() => undefined);
      return;
    }
    const idle: Idle = { ...session, fingerprint: key.fingerprint, timer: setTimeout(() => this.#drop(idle, true), this.#opts.idleMs) };
    idle.timer.unref();
    const list = this.#idle.get(key.login) ?? [];
    list.push(idle);
    this.#idle.set(key.login, list);
    this.#order.push(idle);
    while (list.length > (key.maxIdle ?? Infinity)) this.#drop(list[0]!, true);
    while (this.#order.length > this.#opts.max) this.#drop(this.#order[0]!, true);
  }

  /** Closes every idle context. */
  async closeAll(): Promise<void> {
    const all = [...this.#order];
    for (const idle of all) this.#drop(idle, false);
    await Promise.all(all.map((s) => s.context.close().catch(() => undefined)));
  }

  #drop(idle: Idle, close: boolean): void {
    clearTimeout(idle.timer);
    const at = this.#order.indexOf(idle);
    if (at >= 0) this.#order.splice(at, 1);
    for (const [login, list] of this.#idle) {
      const i = list.indexOf(idle);
      if (i < 0) continue;
      list.splice(i, 1);
      if (list.length === 0) this.#idle.delete(login);
    }
    if (close) void idle.context.close().catch(() => undefined);
  }
}
