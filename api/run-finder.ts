// Finding runs in Temporal visibility: the filters become visibility queries over the search
// attributes every run carries, and pages come newest first by start time behind a keyset cursor.
// SQL visibility (SQLite on the dev server, PostgreSQL in production) refuses ORDER BY and lists
// running executions first (by start time), then closed ones by close time; how a page is still
// cut by start time is in docs/ARCHITECTURE.md ("Finding runs").
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';

export const RUN_SEARCH_STATUSES = ['running', 'waiting-human', 'waiting-bot', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;
export type RunSearchStatus = (typeof RUN_SEARCH_STATUSES)[number];

export interface RunFilter {
  process?: string;
  client?: string;
  status?: RunSearchStatus;
  businessRef?: string;
  /** Inclusive. */
  startedAfter?: Date;
  /** Exclusive. */
  startedBefore?: Date;
}

/** Where a page ended: the last run shown. Start times never change, so neither does a run's place. */
export interface RunPosition {
  startMs: number;
  runId: string;
}

export interface FoundRun {
  runId: string;
  process: string;
  client: string;
  businessRef?: string;
  /** Temporal's execution status, lower case (`cancelled` spelled as the API spells it). */
  status: string;
  /** The run's own phase (TandemRunStatus): waiting-human, waiting-bot, … */
  phase?: string;
  startedAt: string;
  closedAt?: string;
}

export interface RunPage {
  runs: FoundRun[];
  /** Set when more runs follow the last one. */
  next?: RunPosition;
  /** Visibility rows read to cut this page (both streams). */
  scanned: number;
}

const SA = SEARCH_ATTRIBUTES;

/** Closed for good; ContinuedAsNew is left out, since the chain's current execution stands for the run. */
const CLOSED = `ExecutionStatus IN ('Completed', 'Failed', 'Canceled', 'Terminated', 'TimedOut')`;
const OPEN = `ExecutionStatus = 'Running'`;

/** Each status as a visibility clause, and which of the two streams it lives in. */
const STATUS_CLAUSES: Record<RunSearchStatus, { stream: Stream; clause: string }> = {
  running: { stream: 'open', clause: OPEN },
  'waiting-human': { stream: 'open', clause: `${OPEN} AND TandemRunStatus = 'waiting-human'` },
  'waiting-bot': { stream: 'open', clause: `${OPEN} AND TandemRunStatus = 'waiting-bot'` },
  completed: { stream: 'closed', clause: `ExecutionStatus = 'Completed'` },
  failed: { stream: 'closed', clause: `ExecutionStatus = 'Failed'` },
  cancelled: { stream: 'closed', clause: `ExecutionStatus = 'Canceled'` },
  terminated: { stream: 'closed', clause: `ExecutionStatus = 'Terminated'` },
  timed_out: { stream: 'closed', clause: `ExecutionStatus = 'TimedOut'` },
};

type Stream = 'open' | 'closed';

/** Values are checked by the route's schema; quoting still escapes, so no value can end the string. */
const quote = (value: string): string => `'${value.replace(/['\\]/g, '\\$&')}'`;
const list = (values: readonly string[]): string => values.map(quote).join(', ');

/**
 * The visibility query of one stream (running, or closed) for a filter within the caller's
 * clients, below a position; undefined when the status filter rules the stream out.
 */
export function streamQuery(stream: Stream, filter: RunFilter, scope: { clients: readonly string[]; workflowTypes: readonly string[] }, below?: RunPosition): string | undefined {
  const status = filter.status ? STATUS_CLAUSES[filter.status] : undefined;
  if (status && status.stream !== stream) return undefined;
  const clauses = [
    `WorkflowType IN (${list(scope.workflowTypes)})`,
    filter.client ? `TandemClient = ${quote(filter.client)}` : `TandemClient IN (${list(scope.clients)})`,
    status?.clause ?? (stream === 'open' ? OPEN : CLOSED),
  ];
  if (filter.process) clauses.push(`TandemProcess = ${quote(filter.process)}`);
  if (filter.businessRef) clauses.push(`TandemBusinessRef = ${quote(filter.businessRef)}`);
  if (filter.startedAfter) clauses.push(`StartTime >= ${quote(filter.startedAfter.toISOString())}`);
  if (filter.startedBefore) clauses.push(`StartTime < ${quote(filter.startedBefore.toISOString())}`);
  // Visibility keeps start times finer than a millisecond: take the whole millisecond of the
  // position and leave its ties to the in-memory cut by run id.
  if (below) clauses.push(`StartTime < ${quote(new Date(below.startMs + 1).toISOString())}`);
  return clauses.join(' AND ');
}

/** Newest first: start time, then run id, both descending. */
export function newestFirst(a: RunPosition, b: RunPosition): number {
  return b.startMs - a.startMs || (b.runId > a.runId ? 1 : b.runId < a.runId ? -1 : 0);
}

const isBelow = (run: RunPosition, position: RunPosition): boolean => newestFirst(position, run) < 0;

interface Candidate extends RunPosition {
  run: FoundRun;
}

function candidate(info: WorkflowExecutionInfo): Candidate {
  const sa = info.typedSearchAttributes;
  const status = info.status.name.toLowerCase();
  const run: FoundRun = {
    runId: info.workflowId,
    process: sa.get(SA.process) ?? info.type,
    client: sa.get(SA.client) ?? '',
    businessRef: sa.get(SA.businessRef),
    status,
    phase: sa.get(SA.status),
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString(),
  };
  return { startMs: info.startTime.getTime(), runId: info.workflowId, run };
}

export class RunFinder {
  constructor(
    private readonly temporal: Client,
    private readonly workflowTypes: readonly string[],
  ) {}

  /** A page of the runs matching `filter` in `clients`, newest first, older than `after` (the last one shown before). */
  async find(filter: RunFilter, clients: readonly string[], page: { after?: RunPosition; limit: number }): Promise<RunPage> {
    // Another client's filter finds nothing (never an error: a name alone must not reveal a client).
    if (!clients.length || (filter.client && !clients.includes(filter.client))) return { runs: [], scanned: 0 };
    const scope = { clients, workflowTypes: this.workflowTypes };
    const wanted = page.limit + 1;
    // The query already keeps to the caller's clients; checked again here, row by row.
    const keep = (c: Candidate) => clients.includes(c.run.client) && (!page.after || isBelow(c, page.after));
    // Running first, then closed: a run that closes in between is seen twice (kept once), never missed.
    const open = await this.top(streamQuery('open', filter, scope, page.after), wanted, keep, (info) => info.startTime.getTime());
    // Closed runs come by close time; a run never closes before it starts, so once close times
    // drop below the page's oldest start, nothing further down can belong on the page.
    const closed = await this.top(streamQuery('closed', filter, scope, page.after), wanted, keep, (info) => info.closeTime?.getTime() ?? Infinity);
    const byId = new Map<string, Candidate>();
    for (const c of [...open.best, ...closed.best]) byId.set(c.runId, c);
    const merged = [...byId.values()].sort(newestFirst);
    const shown = merged.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      runs: shown.map((c) => c.run),
      ...(merged.length > page.limit && last ? { next: { startMs: last.startMs, runId: last.runId } } : {}),
      scanned: open.scanned + closed.scanned,
    };
  }

  /**
   * The `wanted` newest runs of one stream that `keep` accepts. `ceiling(info)` bounds the start
   * time of every row from this one on, in the order visibility lists them: it says when to stop.
   */
  private async top(query: string | undefined, wanted: number, keep: (c: Candidate) => boolean, ceiling: (info: WorkflowExecutionInfo) => number): Promise<{ best: Candidate[]; scanned: number }> {
    const best: Candidate[] = [];
    let scanned = 0;
    if (!query) return { best, scanned };
    for await (const info of this.temporal.workflow.list({ query, pageSize: wanted })) {
      if (best.length >= wanted && ceiling(info) < best[wanted - 1]!.startMs) break;
      scanned++;
      const c = candidate(info);
      if (!keep(c)) continue;
      const at = best.findIndex((b) => newestFirst(c, b) < 0);
      best.splice(at < 0 ? best.length : at, 0, c);
      if (best.length > wanted) best.pop();
    }
    return { best, scanned };
  }
}

/** The cursor as the API hands it out: opaque, URL-safe. */
export function encodeRunCursor(position: RunPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, t: position.startMs, id: position.runId })).toString('base64url');
}

/** Throws RangeError for anything `encodeRunCursor` did not make. */
export function decodeRunCursor(cursor: string): RunPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new RangeError('Not a cursor this API handed out');
  }
  const { v, t, id } = (parsed ?? {}) as { v?: unknown; t?: unknown; id?: unknown };
  if (v !== 1 || typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0 || typeof id !== 'string' || !/^[A-Za-z0-9._:-]{1,200}$/.test(id)) {
    throw new RangeError('Not a cursor this API handed out');
  }
  return { startMs: t, runId: id };
}
