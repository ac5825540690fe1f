// Client applications often allow one session per user: a second login throws the first one out,
// or is refused. So every bot worker, on any host, takes a session slot for a login before it
// signs in: a counting semaphore per login in Redis whose holds are leases (a sorted set of
// holder → expiry, on Redis's clock), renewed while the bot runs. A killed worker's hold lapses
// within the lease; a clean finish gives it back at once.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LoginSessionsOptions {
  /** Key prefix (config.redis.prefix); a login's holds live at `<prefix>:login-sessions:<login>`. */
  prefix: string;
  /** How long a hold outlives a silent holder; renewed every third of it. Default 30 s. */
  leaseMs?: number;
  /** First pause between tries while the login is busy, doubling up to `pollMaxMs`. Default 50 ms. */
  pollMinMs?: number;
  /** Longest pause between tries. Default 1 s. */
  pollMaxMs?: number;
}

/** Who holds a session. A later attempt of the same holder takes over its earlier attempts' holds:
 *  Temporal only retries an attempt it has given up on (timed out, or its worker died). */
export interface SessionHolder {
  id: string;
  attempt: number;
}

export interface AcquireSessionOptions {
  /** Sessions the client application allows this login at once. */
  limit: number;
  /** Default: a holder of its own, which nothing takes over. */
  holder?: SessionHolder;
  /** Aborting gives up waiting (rejecting with the signal's reason) and leaves no hold behind. */
  signal?: AbortSignal;
  /** Called once, when the login is busy and the caller starts to wait. */
  onWait?: () => void;
}

/** The hold lapsed before it could be renewed (Redis unreachable, or a later attempt took it over). */
export class LoginSessionLost extends Error {
  override readonly name = 'LoginSessionLost';
  constructor(login: string) {
    super(`The session slot for login ${login} was lost: another bot may be using the login now`);
  }
}

// Redis's own clock, so holders on hosts with skewed clocks agree on when a lease lapses.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
const KEEP_KEY = `if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end`;

// KEYS[1] the login's set; ARGV: member, holder id, attempt, limit, lease ms. 1 = granted.
const ACQUIRE = `${NOW}
local lease = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local prefix = ARGV[2] .. '#'
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #prefix) == prefix then
    local other = tonumber(string.sub(m, #prefix + 1))
    if other and other < tonumber(ARGV[3]) then redis.call('ZREM', KEYS[1], m) end
  end
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  ${KEEP_KEY}
  return 1
end
return 0`;

// A hold still in the set (even past its expiry) was counted by every acquire since: renewing it is safe.
const RENEW = `${NOW}
local lease = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[1])
${KEEP_KEY}
return 1`;

const COUNT_LIVE = `${NOW}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`;

export class LoginSessions {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly leaseMs: number;
  readonly #pollMinMs: number;
  readonly #pollMaxMs: number;

  constructor(redis: Redis, opts: LoginSessionsOptions) {
    const { prefix, leaseMs, pollMinMs, pollMaxMs } = { leaseMs: 30_000, pollMinMs: 50, pollMaxMs: 1_000, ...opts };
    if (!Number.isInteger(leaseMs) || leaseMs < 100) throw new RangeError(`leaseMs must be an integer of at least 100, got ${leaseMs}`);
    this.#redis = redis;
    this.#prefix = prefix;
    this.leaseMs = leaseMs;
    this.#pollMinMs = pollMinMs;
    this.#pollMaxMs = Math.max(pollMinMs, pollMaxMs);
  }

  /** Waits until the login has a free session slot (or this holder already has one) and takes it. */
  async acquire(login: string, opts: AcquireSessionOptions): Promise<LoginSession> {
    const { limit, signal, onWait } = opts;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const holder = opts.holder ?? { id: randomUUID(), attempt: 1 };
    const member = `${holder.id}#${holder.attempt}`;
    const key = this.#key(login);
    let pause = this.#pollMinMs;
    for (let tries = 0; ; tries++) {
      signal?.throwIfAborted();
      const asking = this.#redis.eval(ACQUIRE, 1, key, member, holder.id, holder.attempt, limit, this.leaseMs);
      // Given up while Redis was answering: a slot granted after all goes straight back.
      asking.then((g) => (g === 1 && signal?.aborted ? this.#redis.zrem(key, member) : undefined)).catch(() => undefined);
      const granted = await untilAborted(asking, signal);
      if (granted === 1) {
        const session = new LoginSession(login, { redis: this.#redis, key, member, leaseMs: this.leaseMs });
        // Aborted while the script ran: give the slot straight back.
        if (signal?.aborted) {
          await session.release();
          signal.throwIfAborted();
        }
        return session;
      }
      if (tries === 0) onWait?.();
      await pauseFor(pause / 2 + Math.random() * (pause / 2), signal);
      pause = Math.min(pause * 2, this.#pollMaxMs);
    }
  }

  /** Live holds of a login (expired ones not counted). */
  async holders(login: string): Promise<number> {
    return Number(await this.#redis.eval(COUNT_LIVE, 1, this.#key(login)));
  }

  #key(login: string): string {
    return `${this.#prefix}:login-sessions:${login}`;
  }
}

interface HoldOptions {
  redis: Redis;
  key: string;
  member: string;
  leaseMs: number;
}

/** One hold on a login's session slot, renewed until released or lost. */
export class LoginSession {
  readonly #hold: HoldOptions;
  readonly #lost = new AbortController();
  readonly #renewal: NodeJS.Timeout;
  /** Local time by which the last confirmed lease runs out. */
  #confirmedUntil: number;
  #released: Promise<void> | undefined;

  constructor(
    readonly login: string,
    hold: HoldOptions,
  ) {
    this.#hold = hold;
    this.#confirmedUntil = Date.now() + hold.leaseMs;
    this.#renewal = setInterval(() => void this.#renew(), Math.max(50, Math.floor(hold.leaseMs / 3)));
    this.#renewal.unref();
  }

  /** Aborts (with LoginSessionLost) when the hold lapsed: the bot must stop using the login. */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** Idempotent. A failed release is left to the lease's expiry. */
  release(): Promise<void> {
    this.#released ??= (async () => {
      clearInterval(this.#renewal);
      const { redis, key, member } = this.#hold;
      await redis.zrem(key, member).catch(() => undefined);
    })();
    return this.#released;
  }

  async #renew(): Promise<void> {
    if (this.#released || this.#lost.signal.aborted) return;
    const { redis, key, member, leaseMs } = this.#hold;
    const asked = Date.now();
    try {
      const renewed = await redis.eval(RENEW, 1, key, member, leaseMs);
      if (renewed === 1) this.#confirmedUntil = asked + leaseMs;
      else this.#lose();
    } catch {
      // Redis unreachable: the hold stands until its lease runs out, then it is lost.
      if (Date.now() >= this.#confirmedUntil) this.#lose();
    }
  }

  #lose(): void {
    if (this.#released) return;
    clearInterval(this.#renewal);
    this.#lost.abort(new LoginSessionLost(this.login));
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function pauseFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
