// The inbox index: open human tasks per team in Redis, ordered by priority then due time, so an
// inbox page is one sorted-set read instead of a visibility query plus a query per run.
// It mirrors Temporal and can be dropped and rebuilt at any time.
import type { Redis } from 'ioredis';
import type { HumanTaskView } from '../workflows/engine/messages';

export interface TaskIndexOptions {
  /** Key prefix, so several deployments (or test runs) can share one Redis. Default `tandem`. */
  prefix?: string;
}

export interface TaskPage {
  tasks: HumanTaskView[];
  total: number;
}

/** Far-future due time for tasks without one, so they sort after every dated task of equal priority. */
const NO_DUE = Date.UTC(9999, 0, 1);
/** Wider than any due time in ms (year 9999 is ~2.5e14), and 5 bands stay below 2^53. */
const PRIORITY_BAND = 1e15;

export class TaskIndex {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: TaskIndexOptions = {},
  ) {
    this.prefix = options.prefix ?? 'tandem';
  }

  async put(task: HumanTaskView): Promise<void> {
    const due = task.dueAt ? Date.parse(task.dueAt) : NO_DUE;
    // Priority dominates; within a priority the earliest due time comes first.
    const score = task.priority * PRIORITY_BAND + due;
    await this.redis
      .multi()
      .set(this.taskKey(task.taskId), JSON.stringify(task))
      .zadd(this.teamKey(task.team), score, task.taskId)
      .exec();
  }

  async remove(taskId: string, team: string): Promise<void> {
    await this.redis.multi().del(this.taskKey(taskId)).zrem(this.teamKey(team), taskId).exec();
  }

  async get(taskId: string): Promise<HumanTaskView | null> {
    const raw = await this.redis.get(this.taskKey(taskId));
    return raw ? (JSON.parse(raw) as HumanTaskView) : null;
  }

  async listTeam(team: string, offset: number, limit: number): Promise<TaskPage> {
    const key = this.teamKey(team);
    const [ids, total] = await Promise.all([this.redis.zrange(key, offset, offset + limit - 1), this.redis.zcard(key)]);
    if (ids.length === 0) return { tasks: [], total };
    const raws = await this.redis.mget(ids.map((id) => this.taskKey(id)));
    const tasks = raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as HumanTaskView);
    return { tasks, total };
  }

  private taskKey(taskId: string): string {
    return `${this.prefix}:task:${taskId}`;
  }

  private teamKey(team: string): string {
    return `${this.prefix}:team:${team}:open`;
  }
}
