// Runs by process, client and status, read from Temporal visibility at scrape time: one
// `count(… GROUP BY ExecutionStatus)` per process and client (visibility groups by nothing else).
// Which clients: the roster's, plus any learned from visibility itself. Runs of clients not yet
// known are first listed (up to 100 a reading) to learn their names, and whatever is still unknown
// is counted under `client="other"` by a NOT IN query: nothing goes uncounted, and the cost stays
// one query per (process, known client) plus two per process.
import type { Client } from '@temporalio/client';
import { allSettledOrThrow } from '../in-flight';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';

export interface RunCount {
  process: string;
  client: string;
  /** running | completed | failed | cancelled | terminated | timed_out */
  status: string;
  count: number;
}

/** Visibility's ExecutionStatus values, as metric label values. ContinuedAsNew is left out: the
 *  run goes on as a new execution, which is counted itself. */
const STATUSES: Record<string, string | undefined> = {
  Running: 'running',
  Completed: 'completed',
  Failed: 'failed',
  Canceled: 'cancelled',
  Terminated: 'terminated',
  TimedOut: 'timed_out',
};

export const OTHER_CLIENT = 'other';
const LEARN_LIMIT = 100;
const QUERY_DEADLINE_MS = 3_000;
const TANDEM_CLIENT = SEARCH_ATTRIBUTES.client;
/** Names go into visibility queries: only plain identifiers (client and process ids are). */
const SAFE = /^[\w.-]+$/;
const quoted = (names: Iterable<string>) => [...names].map((n) => `'${n}'`).join(', ');

export class RunCounts {
  private readonly clients: Set<string>;

  constructor(
    private readonly temporal: Client,
    private readonly processes: () => readonly string[],
    knownClients: Iterable<string>,
  ) {
    this.clients = new Set([...knownClients].filter((c) => SAFE.test(c) && c !== OTHER_CLIENT));
  }

  async read(): Promise<RunCount[]> {
    const processes = this.processes().filter((p) => SAFE.test(p));
    // Every query settles before the reading answers, failed or not: none outlives the scrape
    // (and the connection its owner may close next), and a slow Temporal never has two scrapes' queries.
    await allSettledOrThrow(processes.map((p) => this.learnClients(p)));
    const rows = await allSettledOrThrow(
      processes.flatMap((process) => [
        ...[...this.clients].map((client) => this.countBy(process, client, `TandemClient = '${client}'`)),
        this.countBy(process, OTHER_CLIENT, this.clients.size ? `TandemClient NOT IN (${quoted(this.clients)})` : 'TandemClient IS NOT NULL'),
      ]),
    );
    return rows.flat();
  }

  /** Lists a few runs of clients not known yet and remembers their names. */
  private async learnClients(process: string): Promise<void> {
    const unknown = this.clients.size ? ` AND TandemClient NOT IN (${quoted(this.clients)})` : ' AND TandemClient IS NOT NULL';
    const query = `TandemProcess = '${process}'${unknown}`;
    if ((await this.withDeadline(() => this.temporal.workflow.count(query))).count === 0) return;
    let seen = 0;
    for await (const run of this.temporal.workflow.list({ query, pageSize: LEARN_LIMIT })) {
      const client = run.typedSearchAttributes.get(TANDEM_CLIENT);
      if (client && SAFE.test(client) && client !== OTHER_CLIENT) this.clients.add(client);
      if (++seen >= LEARN_LIMIT) break;
    }
  }

  private async countBy(process: string, client: string, clientClause: string): Promise<RunCount[]> {
    const result = await this.withDeadline(() => this.temporal.workflow.count(`TandemProcess = '${process}' AND ${clientClause} GROUP BY ExecutionStatus`));
    const rows: RunCount[] = [];
    for (const group of result.groups) {
      // The group value arrives as a one-element list of the status name.
      const status = STATUSES[String([group.groupValues].flat(2)[0])];
      if (status) rows.push({ process, client, status, count: group.count });
    }
    return rows;
  }

  private withDeadline<T>(fn: () => Promise<T>): Promise<T> {
    return this.temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, fn);
  }
}
