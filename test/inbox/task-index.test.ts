// The inbox index on the real Redis: most urgent first, then earliest due, and removal is clean.
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

function task(taskId: string, priority: number, dueAt?: string): HumanTaskView {
  return {
    taskId,
    runId: 'run',
    process: 'claim-review',
    client: 'acme-health',
    businessRef: 'CLM-1',
    kind: 'claim-review.review',
    title: 't',
    team: 'claims-review',
    priority,
    createdAt: '2026-11-22T00:00:00.000Z',
    dueAt,
    status: 'open',
    actions: ['approve'],
    context: {},
  };
}

describe('TaskIndex', () => {
  it('lists a team’s tasks by priority, then due time (undated last), and pages through them', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    await index.put(task('late', 3, '2026-11-25T00:00:00Z'));
    await index.put(task('undated', 3));
    await index.put(task('urgent', 1));
    await index.put(task('soon', 3, '2026-11-23T00:00:00Z'));
    const page = await index.listTeam('claims-review', 0, 10);
    expect(page.tasks.map((t) => t.taskId)).toEqual(['urgent', 'soon', 'late', 'undated']);
    expect(page.total).toBe(4);
    expect((await index.listTeam('claims-review', 2, 1)).tasks.map((t) => t.taskId)).toEqual(['late']);
  });

  it('forgets a removed task entirely, and putting a task twice keeps one entry', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('idx') });
    await index.put(task('a', 2));
    await index.put(task('a', 2));
    await index.put(task('b', 2));
    await index.remove('a', 'claims-review');
    expect(await index.get('a')).toBeNull();
    expect((await index.listTeam('claims-review', 0, 10)).tasks.map((t) => t.taskId)).toEqual(['b']);
  });
});
