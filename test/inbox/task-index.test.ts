// The inbox index on the real Redis: ordering, versioned writes, atomic take-next reservations,
// filters and cursors, change events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { TaskIndex } from '../../inbox/task-index';
import type { HumanTaskView } from '../../workflows/engine/messages';
import { stackEnv, uniqueId } from '../support/temporal';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(stackEnv().REDIS_URL!);
});
afterAll(async () => {
  await redis.quit();
});

function task(taskId: string, priority: number, extra: Partial<HumanTaskView> = {}): HumanTaskView {
  return {
    taskId,
    runId: 'run',
    process: 'claim-review',
    client: 'acme-health',
    businessRef: `CLM-${taskId}`,
    kind: 'claim-review.review',
    title: `Review ${taskId}`,
    team: 'claims-review',
    priority,
    createdAt: '2026-11-22T00:00:00.000Z',
    status: 'open',
    actions: ['approve'],
    context: {},
    bots: [],
    labels: [],
    comments: [],
    events: [],
    version: 1,
    ...extra,
  };
}

const ids = (tasks: HumanTaskView[]) => tasks.map((t) => t.taskId);
const query = { clients: ['acme-health', 'globex-insurance'], limit: 50, now: Date.parse('2026-11-24T00:00:00Z') };

describe('TaskIndex', () => {
  it('lists a team’s tasks by priority, then due time (undated last), and pages with a stable cursor', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    await index.put(task('late', 3, { dueAt: '2026-11-25T00:00:00Z' }));
    await index.put(task('undated', 3));
    await index.put(task('urgent', 1));
    await index.put(task('soon', 3, { dueAt: '2026-11-23T00:00:00Z' }));
    const page = await index.list('claims-review', query);
    expect(ids(page.tasks)).toEqual(['urgent', 'soon', 'late', 'undated']);
    expect(page.total).toBe(4);
    const first = await index.list('claims-review', { ...query, limit: 2 });
    expect(ids(first.tasks)).toEqual(['urgent', 'soon']);
    await index.put(task('urgent', 1, { status: 'completed', version: 2 })); // removed while paging
    const second = await index.list('claims-review', { ...query, limit: 2, cursor: first.nextCursor });
    expect(ids(second.tasks)).toEqual(['late', 'undated']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('filters by client scope, client, status, overdue, assignee and text', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    await index.put(task('a', 2, { client: 'globex-insurance' }));
    await index.put(task('b', 2, { dueAt: '2026-11-23T00:00:00Z', assignee: 'ben.okafor' }));
    await index.put(task('c', 2, { status: 'claimed', claim: { operatorId: 'ana.lima', leaseId: 'l', claimedAt: 'x', until: 'y' } }));
    expect(ids((await index.list('claims-review', { ...query, clients: ['acme-health'] })).tasks)).toEqual(['b', 'c']);
    expect(ids((await index.list('claims-review', { ...query, client: 'globex-insurance' })).tasks)).toEqual(['a']);
    expect(ids((await index.list('claims-review', { ...query, status: 'open' })).tasks)).toEqual(['b', 'a']); // dated before undated
    expect(ids((await index.list('claims-review', { ...query, status: 'claimed' })).tasks)).toEqual(['c']);
    expect(ids((await index.list('claims-review', { ...query, overdue: true })).tasks)).toEqual(['b']);
    expect(ids((await index.list('claims-review', { ...query, assignee: 'ana.lima' })).tasks)).toEqual(['c']);
    expect(ids((await index.list('claims-review', { ...query, assignee: 'none' })).tasks)).toEqual(['a']);
    expect(ids((await index.list('claims-review', { ...query, q: 'clm-B' })).tasks)).toEqual(['b']);
  });

  it('never lets an older copy overwrite a newer one, nor a late update bring back a closed task', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    expect(await index.put(task('a', 2, { version: 3, labels: ['new'] }))).toBe(true);
    expect(await index.put(task('a', 2, { version: 2, labels: ['old'] }))).toBe(false);
    expect((await index.get('a'))!.labels).toEqual(['new']);
    await index.put(task('a', 2, { version: 4, status: 'completed' }));
    expect(await index.put(task('a', 2, { version: 3 }))).toBe(false);
    expect((await index.list('claims-review', query)).tasks).toHaveLength(0);
  });

  it('moves a task between teams when it is reassigned', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    await index.put(task('a', 2));
    await index.put(task('a', 1, { version: 2, team: 'claims-supervisors' }));
    expect((await index.list('claims-review', query)).tasks).toHaveLength(0);
    expect(ids((await index.list('claims-supervisors', query)).tasks)).toEqual(['a']);
  });

  it('reserves each open task for one operator only, within their clients and assignments', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    await index.put(task('globex', 1, { client: 'globex-insurance' }));
    await index.put(task('bens', 1, { assignee: 'ben.okafor' }));
    await index.put(task('x', 2));
    await index.put(task('y', 3));
    const picks = await Promise.all(['ana.lima', 'dev.patel', 'sam.rivera'].map((op) => index.reserveNext('claims-review', op, ['acme-health'])));
    expect(new Set(picks).size).toBe(3);
    expect(picks).toContain(null);
    expect(picks.filter(Boolean).sort()).toEqual(['x', 'y']);
    expect(await index.reserveNext('claims-review', 'ben.okafor', ['acme-health'])).toBe('bens');
  });

  it('publishes every change on the team’s channel', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    const sub = redis.duplicate();
    const events: Array<{ type: string; taskId: string }> = [];
    sub.on('message', (_channel: string, message: string) => events.push(JSON.parse(message)));
    await sub.subscribe(index.channelOf('claims-review'));
    await index.put(task('a', 2));
    await index.put(task('a', 2, { version: 2, status: 'completed' }));
    await expect.poll(() => events.map((e) => `${e.type}:${e.taskId}`)).toEqual(['upserted:a', 'removed:a']);
    await sub.quit();
  });

  it('counts open work per member for auto-assignment', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    await index.put(task('a', 2, { assignee: 'ana.lima' }));
    await index.put(task('b', 2, { status: 'claimed', claim: { operatorId: 'ana.lima', leaseId: 'l', claimedAt: 'x', until: 'y' } }));
    await index.put(task('c', 2, { assignee: 'ben.okafor' }));
    expect(await index.leastLoaded('claims-review', ['ana.lima', 'ben.okafor', 'carla.souza'])).toBe('carla.souza');
    expect(await index.leastLoaded('claims-review', ['ana.lima', 'ben.okafor'])).toBe('ben.okafor');
  });
});
