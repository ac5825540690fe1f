// Auto-assignment: a new task of a team that asks for it goes to the member with the least open
// work; other teams' tasks stay with the whole team.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createInboxActivities } from '../../activities/inbox';
import { Roster } from '../../inbox/roster';
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

const roster = new Roster({
  operators: [
    { operatorId: 'p1', name: 'P One', teams: ['payroll'], clients: ['acme-health'], roles: ['operator'] },
    { operatorId: 'p2', name: 'P Two', teams: ['payroll'], clients: ['acme-health'], roles: ['operator'] },
    { operatorId: 'p3', name: 'P Three', teams: ['payroll'], clients: ['globex-insurance'], roles: ['operator'] },
  ],
  teams: [
    { team: 'payroll', autoAssign: true },
    { team: 'claims-review', autoAssign: false },
  ],
});

function task(taskId: string, team: string, extra: Partial<HumanTaskView> = {}): HumanTaskView {
  return {
    taskId, runId: 'r', process: 'manual-task', client: 'acme-health', businessRef: taskId, kind: 'manual-task.decide', title: taskId,
    team, priority: 3, createdAt: '2026-11-22T00:00:00.000Z', status: 'open', actions: ['approve'], context: {}, bots: [],
    labels: [], comments: [], events: [], version: 1, ...extra,
  };
}

describe('auto-assignment', () => {
  it('assigns a new task of an auto-assign team to the member of its client with the least open work', async () => {
    const index = new TaskIndex(redis, { prefix: uniqueId('assign') });
    const inbox = createInboxActivities({ index, roster });
    await index.put(task('busy', 'payroll', { assignee: 'p1' }));
    expect(await inbox.syncTask(task('new', 'payroll'))).toEqual({ assignTo: 'p2' });
    // p3 serves another client: never a candidate, even with no work at all.
    await index.put(task('busy2', 'payroll', { assignee: 'p2' }));
    await index.put(task('busy3', 'payroll', { assignee: 'p2' }));
    expect(await inbox.syncTask(task('newer', 'payroll'))).toEqual({ assignTo: 'p1' });
  });

  it('leaves tasks of other teams, already assigned tasks and later versions alone', async () => {
    const inbox = createInboxActivities({ index: new TaskIndex(redis, { prefix: uniqueId('assign') }), roster });
    expect(await inbox.syncTask(task('a', 'claims-review'))).toEqual({});
    expect(await inbox.syncTask(task('b', 'payroll', { assignee: 'p1' }))).toEqual({});
    expect(await inbox.syncTask(task('c', 'payroll', { version: 2 }))).toEqual({});
  });
});
