// Session slots per client login on the test stack's Redis: the cap holds across holders (as it
// would across bot workers), a dead holder's slot frees after its lease, and giving up waiting
// leaves nothing behind.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginSessionLost, LoginSessions, type LoginSession } from '../../bots/runtime/login-sessions';
import { stackEnv, uniqueId } from '../support/temporal';

const LEASE_MS = 400;
let redis: Redis;
let prefix: string;
let sessions: LoginSessions;

beforeAll(() => {
  redis = new Redis(stackEnv().REDIS_URL!);
  prefix = uniqueId('test-login');
  sessions = new LoginSessions(redis, { prefix, leaseMs: LEASE_MS, pollMinMs: 20, pollMaxMs: 100 });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const login = () => uniqueId('acme-health/claims-system');

/** Starts an acquire and records when it was granted. */
function track(p: Promise<LoginSession>) {
  const state: { at?: number; session?: LoginSession } = {};
  const done = p.then((s) => {
    state.at = Date.now();
    state.session = s;
    return s;
  });
  return { state, done };
}

describe('LoginSessions', () => {
  it('with limit 1, a second holder waits (saying so) until the first releases', async () => {
    const name = login();
    const first = await sessions.acquire(name, { limit: 1 });
    let waiting = 0;
    const second = track(sessions.acquire(name, { limit: 1, onWait: () => waiting++ }));
    await sleep(LEASE_MS * 2); // well past one lease: renewal keeps the first hold alive
    expect(second.state.at).toBeUndefined();
    expect(waiting).toBe(1);
    expect(await sessions.holders(name)).toBe(1);
    const releasedAt = Date.now();
    await first.release();
    const session = await second.done;
    expect(second.state.at!).toBeGreaterThanOrEqual(releasedAt);
    expect(await sessions.holders(name)).toBe(1);
    await session.release();
    await first.release(); // idempotent
    expect(await sessions.holders(name)).toBe(0);
  });

  it('with limit 2, two hold at once and a third waits', async () => {
    const name = login();
    const held = [await sessions.acquire(name, { limit: 2 }), await sessions.acquire(name, { limit: 2 })];
    const third = track(sessions.acquire(name, { limit: 2 }));
    await sleep(150);
    expect(third.state.at).toBeUndefined();
    await held[0]!.release();
    await (await third.done).release();
    await held[1]!.release();
    expect(await sessions.holders(name)).toBe(0);
  });

  it('different logins do not wait for each other', async () => {
    const [a, b] = [login(), login()];
    const started = Date.now();
    const both = await Promise.all([sessions.acquire(a, { limit: 1 }), sessions.acquire(b, { limit: 1 })]);
    // Neither is released before both are held: had one waited for the other, it would never get in.
    expect(Date.now() - started).toBeLessThan(5_000);
    await Promise.all(both.map((s) => s.release()));
  });

  it('frees the slot of a holder that died without releasing within one lease', async () => {
    const name = login();
    // The dead bot worker: its own connection, which goes away with it.
    const doomed = new Redis(stackEnv().REDIS_URL!);
    const dead = await new LoginSessions(doomed, { prefix, leaseMs: LEASE_MS }).acquire(name, { limit: 1 });
    doomed.disconnect();
    const diedAt = Date.now();
    const next = await sessions.acquire(name, { limit: 1 });
    expect(Date.now() - diedAt).toBeLessThan(LEASE_MS + 500);
    expect(await sessions.holders(name)).toBe(1);
    // The dead holder, had it lived on, learns that its slot is gone.
    await sleep(LEASE_MS);
    expect(dead.lost.aborted).toBe(true);
    expect(dead.lost.reason).toBeInstanceOf(LoginSessionLost);
    await next.release();
  });

  it('giving up while waiting leaves no slot taken', async () => {
    const name = login();
    const holder = await sessions.acquire(name, { limit: 1 });
    const controller = new AbortController();
    const waiter = sessions.acquire(name, { limit: 1, signal: controller.signal });
    await sleep(100);
    controller.abort(new Error('activity cancelled'));
    await expect(waiter).rejects.toThrow('activity cancelled');
    expect(await sessions.holders(name)).toBe(1);
    await holder.release();
    expect(await sessions.holders(name)).toBe(0);
    // Already aborted: nothing is even tried.
    await expect(sessions.acquire(name, { limit: 1, signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late');
    expect(await sessions.holders(name)).toBe(0);
  });

  it('lets a later attempt of the same holder take over, and the earlier attempt learns it lost the slot', async () => {
    const name = login();
    const attempt1 = await sessions.acquire(name, { limit: 1, holder: { id: 'run-1/extractClaim', attempt: 1 } });
    const other = track(sessions.acquire(name, { limit: 1, holder: { id: 'run-2/extractClaim', attempt: 1 } }));
    const attempt2 = await sessions.acquire(name, { limit: 1, holder: { id: 'run-1/extractClaim', attempt: 2 } });
    expect(await sessions.holders(name)).toBe(1);
    await sleep(LEASE_MS);
    expect(attempt1.lost.reason).toBeInstanceOf(LoginSessionLost);
    // An earlier attempt never pushes out a later one.
    const late = track(sessions.acquire(name, { limit: 1, holder: { id: 'run-1/extractClaim', attempt: 1 } }));
    await sleep(100);
    expect(late.state.at).toBeUndefined();
    expect(other.state.at).toBeUndefined();
    await attempt2.release();
    // One at a time, the other two get it.
    await (await Promise.race([other.done, late.done])).release();
    await Promise.all([other.done, late.done].map(async (p) => (await p).release()));
    expect(await sessions.holders(name)).toBe(0);
  });

  it('refuses a limit below 1', async () => {
    await expect(sessions.acquire(login(), { limit: 0 })).rejects.toThrow(RangeError);
  });
});
