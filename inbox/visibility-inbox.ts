// A team's tasks read from Temporal itself, for when the Redis index cannot answer (Redis away, or
// back empty and rebuilding): a visibility list of the running runs with open tasks in the team,
// then a Query per run. Slower than the index (one Query per run) and possibly incomplete
// (visibility is eventually consistent, and a run whose Query is not answered in time is left out).
import type { Client } from '@temporalio/client';
import { runViewQuery, type HumanTaskView } from '../workflows/engine/messages';
import { matchesQuery, taskScore, type TaskQuery } from './task-index';

export interface VisibilityRead {
  tasks: HumanTaskView[];
  /** Runs listed that answered their Query. */
  runs: number;
  /** Runs listed but left out: no answer in time, or more than the read takes. */
  missed: number;
}

const PARALLEL_QUERIES = 16;

export class VisibilityInbox {
  constructor(
    private readonly temporal: Client,
    private readonly options: { maxRuns?: number; timeBudgetMs?: number } = {},
  ) {}

  /** The team's active tasks (open and claimed), most urgent first. */
  async teamTasks(team: string): Promise<VisibilityRead> {
    const maxRuns = this.options.maxRuns ?? 500;
    const until = Date.now() + (this.options.timeBudgetMs ?? 5_000);
    const tasks: HumanTaskView[] = [];
    let runs = 0;
    let missed = 0;
    const inFlight = new Set<Promise<void>>();
    // The team name is checked by the route's schema (lower-case letters, digits, dashes).
    const query = `ExecutionStatus = 'Running' AND TandemOpenTasks > 0 AND TandemTeams = '${team}'`;
    let listed = 0;
    for await (const execution of this.temporal.workflow.list({ query })) {
      if (++listed > maxRuns || Date.now() > until) {
        missed++;
        continue;
      }
      const job = (async () => {
        const view = await this.temporal.workflow.getHandle(execution.workflowId).query(runViewQuery).catch(() => undefined);
        if (!view) return void missed++;
        runs++;
        for (const task of view.openTasks) if (task.team === team && (task.status === 'open' || task.status === 'claimed')) tasks.push(task);
      })();
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      if (inFlight.size >= PARALLEL_QUERIES) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    tasks.sort((a, b) => taskScore(a) - taskScore(b) || (a.taskId < b.taskId ? -1 : 1));
    return { tasks, runs, missed };
  }

  /** A page of them with the index's filters (no cursor: the first `limit` that match). */
  async list(team: string, query: TaskQuery): Promise<VisibilityRead & { page: HumanTaskView[] }> {
    const read = await this.teamTasks(team);
    const page = read.tasks.filter((t) => (query.status === 'open' ? t.status === 'open' : true) && matchesQuery(t, query)).slice(0, query.limit);
    return { ...read, page };
  }

  /** Tasks this operator may take, in order: open, in their clients, unassigned or assigned to them. */
  async takeable(team: string, operatorId: string, clients: string[]): Promise<HumanTaskView[]> {
    const { tasks } = await this.teamTasks(team);
    return tasks.filter((t) => t.status === 'open' && clients.includes(t.client) && (!t.assignee || t.assignee === operatorId));
  }
}
