// The API's metrics: runs from Temporal visibility and task queues from the Redis inbox index, both
// read at scrape time through a short cache, and the task timings the API observes itself. A
// backing service that cannot be read drops its series for that scrape and says so in
// tandem_metrics_source_up, so the other metrics are still served.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { CachedReading } from './cached-reading';
import { createRegistry, tandemGauge, type Registry } from './registry';
import { RunCounts, type RunCount } from './run-counts';
import { TaskMetrics } from './task-metrics';

export interface TeamQueues {
  /** The index's Redis and key prefix: also where decisions already counted are remembered. */
  redis: Redis;
  prefix: string;
  teams(): Promise<string[]>;
  teamStats(team: string, now: number): Promise<{ open: number; claimed: number; overdue: number }>;
}

export interface ApiMetricsOptions {
  temporal: Client;
  index: TeamQueues;
  /** Process names (the process catalogue, platform/process-catalogue.ts). */
  processes: readonly string[];
  /** Clients counted by name from the start (the roster's); others are learned from visibility. */
  clients: Iterable<string>;
  /** Teams always reported (the roster's); teams with a queue in the index are added. */
  teams: Iterable<string>;
  /** How long a reading of Temporal or Redis is reused; default 15 s, 0 in tests. */
  cacheMs?: number;
  log?: Logger;
  now?: () => number;
}

export interface ApiMetrics {
  registry: Registry;
  tasks: TaskMetrics;
}

type TeamRow = { team: string; open: number; claimed: number; overdue: number };

export function createApiMetrics(options: ApiMetricsOptions): ApiMetrics {
  const registry = createRegistry();
  const now = options.now ?? Date.now;
  const ttl = options.cacheMs ?? 15_000;
  const runCounts = new RunCounts(options.temporal, () => options.processes, options.clients);
  const rosterTeams = [...options.teams];
  const runs = new CachedReading(() => runCounts.read(), ttl);
  const queues = new CachedReading(async (): Promise<TeamRow[]> => {
    const teams = [...new Set([...rosterTeams, ...(await options.index.teams())])].sort();
    const at = now();
    return Promise.all(teams.map(async (team) => ({ team, ...(await options.index.teamStats(team, at)) })));
  }, ttl);

  const up = tandemGauge(registry, {
    name: 'tandem_metrics_source_up',
    help: 'Whether the last reading of a backing service for these metrics worked (1) or failed (0): temporal (runs), redis (tasks)',
    labelNames: ['source'],
    // Waits for this scrape's readings (shared with the gauges below), so it speaks of them.
    async collect() {
      await Promise.all([reading('temporal', runs), reading('redis', queues)]);
    },
  });
  /** Reads through the cache; on failure logs, marks the source down and yields nothing. */
  const reading = async <T>(source: string, cache: CachedReading<T[]>): Promise<T[]> => {
    try {
      const rows = await cache.get();
      up.set({ source }, 1);
      return rows;
    } catch (err) {
      options.log?.warn({ err, source }, 'metrics: reading failed');
      up.set({ source }, 0);
      return [];
    }
  };

  tandemGauge(registry, {
    name: 'tandem_runs',
    help: 'Runs in Temporal visibility by process, client and status (running, completed, failed, cancelled, terminated, timed_out), within the namespace retention',
    labelNames: ['process', 'client', 'status'],
    async collect(gauge) {
      const rows = await reading('temporal', runs);
      gauge.reset();
      for (const row of rows) gauge.set({ process: row.process, client: row.client, status: row.status }, row.count);
    },
  });
  tandemGauge(registry, {
    name: 'tandem_runs_started',
    help: 'Runs started by process and client, whatever their status now (all runs in Temporal visibility, within the namespace retention)',
    labelNames: ['process', 'client'],
    async collect(gauge) {
      const rows = await reading('temporal', runs);
      gauge.reset();
      for (const [key, count] of totals(rows)) gauge.set(key, count);
    },
  });
  const queueGauge = (name: string, help: string, pick: (row: TeamRow) => number) =>
    tandemGauge(registry, {
      name,
      help,
      labelNames: ['team'],
      async collect(gauge) {
        const rows = await reading('redis', queues);
        gauge.reset();
        for (const row of rows) gauge.set({ team: row.team }, pick(row));
      },
    });
  queueGauge('tandem_tasks_open', 'Human tasks waiting in the team’s queue, not claimed by anyone (Redis inbox index)', (r) => r.open);
  queueGauge('tandem_tasks_claimed', 'Human tasks of the team held by an operator under a lease, not decided yet', (r) => r.claimed);
  queueGauge('tandem_tasks_overdue', 'Human tasks of the team, open or claimed, whose due time has passed', (r) => r.overdue);

  // A day is far beyond Temporal's window for answering a repeated Update from its first result.
  const firstSight = async (updateId: string) =>
    (await options.index.redis.set(`${options.index.prefix}:metrics:decided:${updateId}`, '1', 'PX', 86_400_000, 'NX')) === 'OK';
  return { registry, tasks: new TaskMetrics(registry, firstSight) };
}

function totals(rows: RunCount[]): Map<{ process: string; client: string }, number> {
  const byKey = new Map<string, { labels: { process: string; client: string }; count: number }>();
  for (const row of rows) {
    const key = `${row.process}\n${row.client}`;
    const entry = byKey.get(key) ?? { labels: { process: row.process, client: row.client }, count: 0 };
    entry.count += row.count;
    byKey.set(key, entry);
  }
  return new Map([...byKey.values()].map((e) => [e.labels, e.count]));
}
