// Activities that keep the Redis inbox index in step with the workflow's own task state.
// Temporal stays the source of truth: these only mirror it, so the index can be rebuilt.
import type { HumanTaskView } from '../workflows/engine/messages';
import type { TaskIndex } from '../inbox/task-index';

export interface RetractTask {
  taskId: string;
  team: string;
  reason: 'completed' | 'cancelled';
}

export interface InboxActivities {
  publishTask(task: HumanTaskView): Promise<void>;
  retractTask(task: RetractTask): Promise<void>;
}

export function createInboxActivities(deps: { index: TaskIndex }): InboxActivities {
  return {
    async publishTask(task) {
      await deps.index.put(task);
    },
    async retractTask({ taskId, team }) {
      await deps.index.remove(taskId, team);
    },
  };
}
