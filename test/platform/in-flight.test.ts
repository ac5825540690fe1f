// Nothing a reading or a probe starts on Temporal outlives it unnoticed: RunCounts answers only
// once all of its queries settled, and InFlight lets the API wait at close for a probe that missed
// its timeout. (The real-connection case: test/api/metrics.test.ts, "Temporal unreachable".)
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { allSettledOrThrow, InFlight } from '../../platform/in-flight';
import { RunCounts } from '../../platform/metrics/run-counts';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('allSettledOrThrow', () => {
  it('rejects with the first failure only after every call settled', async () => {
    let slowDone = false;
    const slow = later(50, 'slow').then((v) => ((slowDone = true), v));
    await expect(allSettledOrThrow([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))])).rejects.toThrow('first');
    expect(slowDone).toBe(true);
    expect(await allSettledOrThrow([later(5, 1), Promise.resolve(2)])).toEqual([1, 2]);
  });
});

describe('InFlight', () => {
  it('waits for the calls it tracks, however they end, and forgets them once settled', async () => {
    const calls = new InFlight();
    let ended = 0;
    const failing = calls.track(later(30, 0).then(() => Promise.reject(new Error('down'))));
    failing.catch(() => undefined);
    void calls.track(later(60, 'ok')).then(() => ended++);
    expect(calls.size).toBe(2);
    await calls.settled();
    expect(ended).toBe(1);
    expect(calls.size).toBe(0);
    await calls.settled(); // nothing left: at once
  });
});

describe('RunCounts', () => {
  it('answers a failed reading only after its other queries settled', async () => {
    const pending = new Set<string>();
    const temporal = {
      connection: { withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() },
      workflow: {
        async count(query: string) {
          pending.add(query);
          try {
            if (query.includes("'fails'")) throw new Error('visibility unavailable');
            return await later(40, { count: 0, groups: [] });
          } finally {
            pending.delete(query);
          }
        },
      },
    } as unknown as Client;
    const counts = new RunCounts(temporal, () => ['fails', 'slow-a', 'slow-b'], ['acme-health']);
    await expect(counts.read()).rejects.toThrow('visibility unavailable');
    expect([...pending]).toEqual([]);
  });
});
