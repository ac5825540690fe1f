// The inbox index: open and claimed human tasks per team in Redis, ordered by priority then due
// time, so an inbox page or a take-next is one Redis round trip instead of a visibility query plus
// a query per run. It mirrors Temporal (versioned writes, see index-scripts.ts) and can be dropped
// and rebuilt at any time (inbox/rebuild.ts).
import type { Redis } from 'ioredis';
import type { HumanTaskView } from '../workflows/engine/messages';
import { PUT_TASK, RESERVE_NEXT } from './index-scripts';

export interface TaskIndexOptions {
  /** Key prefix, so several deployments (or test runs) can share one Redis. Default `tandem`. */
  prefix?: string;
  /** How long a take-next reservation keeps other operators off a task while it is claimed. Default 10 s. */
  reserveMs?: number;
}

export interface TaskQuery {
  /** `active` (default) = open + claimed. */
  status?: 'open' | 'claimed' | 'active';
  /** Only these clients (the caller's scope). */
  clients: string[];
  client?: string;
  process?: string;
  priority?: number;
  overdue?: boolean;
  /** An operator id, or `none` for unassigned and unclaimed tasks. */
  assignee?: string;
  /** Case-insensitive text in the business reference or title. */
  q?: string;
  cursor?: string;
  limit: number;
  now: number;
}

export interface TaskPage {
  tasks: HumanTaskView[];
  /** Tasks in the queue before filters. */
  total: number;
  nextCursor?: string;
}

/** Far-future due time for tasks without one, so they sort after every dated task of equal priority. */
const NO_DUE = Date.UTC(9999, 0, 1);
/** Wider than any due time in ms (year 9999 is ~2.5e14), and 5 bands stay below 2^53. */
const PRIORITY_BAND = 1e15;
const TOMBSTONE_MS = 60 * 60_000;
const SCAN_BATCH = 200;

export function taskScore(task: Pick<HumanTaskView, 'priority' | 'dueAt'>): number {
  return task.priority * PRIORITY_BAND + (task.dueAt ? Date.parse(task.dueAt) : NO_DUE);
}

export class TaskIndex {
  readonly prefix: string;
  private readonly reserveMs: number;

  constructor(
    readonly redis: Redis,
    options: TaskIndexOptions = {},
  ) {
    this.prefix = options.prefix ?? 'tandem';
    this.reserveMs = options.reserveMs ?? 10_000;
  }

  /** Mirrors a task; returns false when the index already holds a newer copy. */
  async put(task: HumanTaskView, fromTeam?: string): Promise<boolean> {
    const applied = await this.redis.eval(
      PUT_TASK,
      1,
      this.taskKey(task.taskId),
      JSON.stringify(task),
      task.version,
      this.prefix,
      task.taskId,
      task.team,
      task.status,
      taskScore(task),
      fromTeam ?? '',
      TOMBSTONE_MS,
    );
    return applied === 1;
  }

  async get(taskId: string): Promise<HumanTaskView | null> {
    const raw = await this.redis.get(this.taskKey(taskId));
    return raw ? (JSON.parse(raw) as HumanTaskView) : null;
  }

  /** Atomically reserves the most urgent open task of the team this operator may take. */
  async reserveNext(team: string, operatorId: string, clients: string[]): Promise<string | null> {
    const id = await this.redis.eval(RESERVE_NEXT, 1, this.queueKey(team, 'open'), this.prefix, operatorId, clients.join(','), this.reserveMs, SCAN_BATCH);
    return typeof id === 'string' ? id : null;
  }

  async list(team: string, query: TaskQuery): Promise<TaskPage> {
    const key = this.queueKey(team, query.status === 'open' ? 'open' : 'active');
    const total = await this.redis.zcard(key);
    const tasks: HumanTaskView[] = [];
    let [minScore, afterId] = decodeCursor(query.cursor);
    for (;;) {
      const batch = await this.redis.zrangebyscore(key, minScore, '+inf', 'WITHSCORES', 'LIMIT', 0, SCAN_BATCH);
      const entries: Array<{ id: string; score: string }> = [];
      for (let i = 0; i < batch.length; i += 2) entries.push({ id: batch[i]!, score: batch[i + 1]! });
      const fresh = entries.filter((e) => !(afterId !== undefined && e.score === minScore && e.id <= afterId));
      if (fresh.length === 0) return { tasks, total };
      const raws = await this.redis.mget(fresh.map((e) => this.taskKey(e.id)));
      for (let i = 0; i < fresh.length; i++) {
        const raw = raws[i];
        const task = raw ? (JSON.parse(raw) as HumanTaskView) : undefined;
        if (task && matchesQuery(task, query)) tasks.push(task);
        if (tasks.length === query.limit) {
          const more = i < fresh.length - 1 || entries.length === SCAN_BATCH;
          return { tasks, total, ...(more ? { nextCursor: encodeCursor(fresh[i]!.score, fresh[i]!.id) } : {}) };
        }
      }
      const last = entries[entries.length - 1]!;
      if (entries.length < SCAN_BATCH) return { tasks, total };
      [minScore, afterId] = [last.score, last.id];
    }
  }

  /** The member with the least open or claimed work in the team (ties: roster order). */
  async leastLoaded(team: string, members: string[]): Promise<string | undefined> {
    if (members.length === 0) return undefined;
    const ids = await this.redis.zrange(this.queueKey(team, 'active'), 0, -1);
    const load = new Map(members.map((m) => [m, 0]));
    const raws = ids.length ? await this.redis.mget(ids.map((id) => this.taskKey(id))) : [];
    for (const raw of raws) {
      if (!raw) continue;
      const task = JSON.parse(raw) as HumanTaskView;
      const holder = task.claim?.operatorId ?? task.assignee;
      if (holder && load.has(holder)) load.set(holder, load.get(holder)! + 1);
    }
    return members.reduce((best, m) => (load.get(m)! < load.get(best)! ? m : best), members[0]!);
  }

  /** Counts for a team's metrics in one round trip: open (unclaimed), claimed, and overdue (open
   *  or claimed, due before `now`), the last from the scores alone (priority band + due time). */
  async teamStats(team: string, now: number): Promise<{ open: number; claimed: number; overdue: number }> {
    const active = this.queueKey(team, 'active');
    const batch = this.redis.multi().zcard(this.queueKey(team, 'open')).zcard(active);
    for (let priority = 1; priority <= 5; priority++) batch.zcount(active, priority * PRIORITY_BAND, `(${priority * PRIORITY_BAND + now}`);
    const replies = ((await batch.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return Number(value);
    });
    const [open = 0, all = 0, ...overdue] = replies;
    return { open, claimed: all - open, overdue: overdue.reduce((a, b) => a + b, 0) };
  }

  /** Teams that have a queue in the index (a SCAN: for metrics, which cache it, not for requests). */
  async teams(): Promise<string[]> {
    const teams = new Set<string>();
    const pattern = new RegExp(`^${this.prefix}:team:(.+):active$`);
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:team:*:active`, 'COUNT', 1000);
      for (const key of keys) {
        const team = pattern.exec(key)?.[1];
        if (team) teams.add(team);
      }
      cursor = next;
    } while (cursor !== '0');
    return [...teams];
  }

  /** True once the index was built (or rebuilt) from Temporal; a flushed Redis answers false. */
  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}:built`)) === 1;
  }

  async markBuilt(at: string): Promise<void> {
    await this.redis.set(`${this.prefix}:built`, at);
  }

  /** Deletes every key of this index (before a full rebuild). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      if (keys.length) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  channelOf(team: string): string {
    return `${this.prefix}:events:${team}`;
  }

  private taskKey(taskId: string): string {
    return `${this.prefix}:task:${taskId}`;
  }

  private queueKey(team: string, which: 'active' | 'open'): string {
    return `${this.prefix}:team:${team}:${which}`;
  }
}

/** Whether a task passes a list query's filters (also used by the list read from Temporal). */
export function matchesQuery(task: HumanTaskView, q: TaskQuery): boolean {
  if (!q.clients.includes(task.client)) return false;
  if (q.status === 'claimed' && task.status !== 'claimed') return false;
  if (q.client && task.client !== q.client) return false;
  if (q.process && task.process !== q.process) return false;
  if (q.priority && task.priority !== q.priority) return false;
  if (q.overdue !== undefined && (task.dueAt !== undefined && Date.parse(task.dueAt) < q.now) !== q.overdue) return false;
  const holder = task.claim?.operatorId ?? task.assignee;
  if (q.assignee && (q.assignee === 'none' ? holder !== undefined : holder !== q.assignee)) return false;
  if (q.q) {
    const needle = q.q.toLowerCase();
    if (!task.businessRef.toLowerCase().includes(needle) && !task.title.toLowerCase().includes(needle)) return false;
  }
  return true;
}

function encodeCursor(score: string, id: string): string {
  return Buffer.from(`${score}\n${id}`).toString('base64url');
}

function decodeCursor(cursor?: string): [string, string | undefined] {
  if (!cursor) return ['-inf', undefined];
  const [score, id] = Buffer.from(cursor, 'base64url').toString().split('\n');
  if (!score || !id || !/^\d+$/.test(score)) throw new RangeError('Invalid cursor');
  return [score, id];
}
