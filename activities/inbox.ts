// Activities that keep the Redis inbox index in step with the workflow's own task state.
// Temporal stays the source of truth: these only mirror it, so the index can be rebuilt.
import type { InboxActivities } from '../contract/activities';
import type { TaskIndex } from '../inbox/task-index';
import type { Roster } from '../inbox/roster';

export type { InboxActivities, SyncTaskOptions, SyncTaskResult } from '../contract/activities';

export function createInboxActivities(deps: { index: TaskIndex; roster: Roster }): InboxActivities {
  return {
    async syncTask(task, options = {}) {
      await deps.index.put(task, options.fromTeam);
      const team = deps.roster.team(task.team);
      if (task.version !== 1 || task.assignee || !team?.autoAssign) return {};
      const members = deps.roster.membersOf(task.team, task.client).map((m) => m.operatorId);
      return { assignTo: await deps.index.leastLoaded(task.team, members) };
    },
  };
}
