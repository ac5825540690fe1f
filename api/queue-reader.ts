// A team's queue as well as can be had: from the Redis index normally; from Temporal visibility
// when Redis is away or back empty (the index rebuilds in the background meanwhile, instead of
// making the request wait for it); from the index marked stale when Temporal is away.
import type { Logger } from 'pino';
import type { TaskIndex, TaskPage, TaskQuery } from '../inbox/task-index';
import type { InboxKeeper } from '../inbox/rebuild';
import type { VisibilityInbox } from '../inbox/visibility-inbox';
import type { Actor, HumanTaskView } from '../workflows/engine/messages';
import { outageOf, type Dependencies } from '../platform/dependencies/outage';
import type { TaskDesk } from './task-desk';

export interface QueueMarks {
  source: 'index' | 'temporal';
  degraded?: { reason: string; since?: string; slower: true; possiblyIncomplete: true };
  stale?: { reason: string; since: string };
}

type IndexState = { usable: true } | { usable: false; reason: string; since?: string };

export class QueueReader {
  constructor(
    private readonly index: TaskIndex,
    private readonly keeper: InboxKeeper,
    private readonly visibility: VisibilityInbox,
    private readonly dependencies: Dependencies,
    private readonly log?: Logger,
  ) {}

  async list(team: string, query: TaskQuery): Promise<TaskPage & QueueMarks> {
    const state = await this.indexState();
    if (state.usable) {
      try {
        return { ...(await this.index.list(team, query)), ...this.indexMarks() };
      } catch (err) {
        if (outageOf(err, this.dependencies)?.dependency !== 'redis') throw err;
        return this.listFromTemporal(team, query, { usable: false, reason: 'Redis is unavailable', since: this.dependencies.redis.since.toISOString() });
      }
    }
    return this.listFromTemporal(team, query, state);
  }

  async takeNext(desk: TaskDesk, team: string, actor: Actor, leaseMs?: number): Promise<{ task: HumanTaskView | null } & QueueMarks> {
    // Claiming needs Temporal: refuse before reserving a task in the index that no one could then take.
    this.dependencies.temporal.check();
    const state = await this.indexState();
    if (state.usable) {
      try {
        return { task: await desk.takeNext(team, actor, leaseMs), source: 'index' };
      } catch (err) {
        if (outageOf(err, this.dependencies)?.dependency !== 'redis') throw err;
      }
    }
    const candidates = await this.visibility.takeable(team, actor.operatorId, actor.clients);
    const reason = state.usable ? 'Redis is unavailable' : state.reason;
    return { task: await desk.takeNextOf(candidates, actor, leaseMs), source: 'temporal', degraded: { reason, slower: true, possiblyIncomplete: true } };
  }

  /** Whether the index can answer; when it is merely unbuilt, starts its rebuild in the background. */
  private async indexState(): Promise<IndexState> {
    const redis = this.dependencies.redis;
    if (!redis.isClosed) return { usable: false, reason: 'Redis is unavailable', since: redis.since.toISOString() };
    try {
      if (await this.keeper.isReady()) return { usable: true };
    } catch (err) {
      if (outageOf(err, this.dependencies)?.dependency !== 'redis') throw err;
      return { usable: false, reason: 'Redis is unavailable', since: redis.since.toISOString() };
    }
    if (this.dependencies.temporal.isClosed) this.keeper.rebuildInBackground((err) => this.log?.warn({ err }, 'inbox index rebuild failed; the next request tries again'));
    return { usable: false, reason: 'The inbox index is being rebuilt from Temporal' };
  }

  private indexMarks(): QueueMarks {
    const temporal = this.dependencies.temporal;
    if (temporal.isClosed) return { source: 'index' };
    return {
      source: 'index',
      stale: { reason: 'Temporal is unavailable: this is the index as it was, and nothing can be recorded until Temporal is back', since: temporal.since.toISOString() },
    };
  }

  private async listFromTemporal(team: string, query: TaskQuery, state: Exclude<IndexState, { usable: true }>): Promise<TaskPage & QueueMarks> {
    const read = await this.visibility.list(team, query);
    return {
      tasks: read.page,
      total: read.tasks.length,
      source: 'temporal',
      degraded: { reason: `${state.reason}: read from Temporal visibility`, ...(state.since ? { since: state.since } : {}), slower: true, possiblyIncomplete: true },
    };
  }
}
