// Live inbox updates: one Redis subscriber per API process fans the index's change events out to
// every open Server-Sent Events stream of a team.
import type { Redis } from 'ioredis';
import type { TaskIndex } from './task-index';

export type FeedListener = (message: string) => void;

export class TaskFeed {
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<FeedListener>>();

  constructor(private readonly index: TaskIndex) {}

  async subscribe(team: string, listener: FeedListener): Promise<() => Promise<void>> {
    const channel = this.index.channelOf(team);
    const subscriber = this.connection();
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await subscriber.subscribe(channel);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        await subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscriber?.quit().catch(() => undefined);
    this.subscriber = undefined;
  }

  private connection(): Redis {
    if (!this.subscriber) {
      this.subscriber = this.index.redis.duplicate();
      this.subscriber.on('message', (channel: string, message: string) => {
        for (const listener of this.listeners.get(channel) ?? []) listener(message);
      });
    }
    return this.subscriber;
  }
}
