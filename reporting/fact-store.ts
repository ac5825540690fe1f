// The reporting store: one row per closed run in DuckDB (embedded, columnar: a month of 100,000
// runs aggregates in milliseconds), fed from the runs' facts in Temporal and rebuildable from them.
// Rows are keyed by run id, so feeding the same fact twice changes nothing.
import { DuckDBInstance, LIST, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { ServiceLevel } from '../workflows/engine/service-level';
import type { RunFact } from '../workflows/engine/run-facts';
import { toFactRow, type FactRow } from './fact-rows';

const COLUMNS: Array<[keyof FactRow, string]> = [
  ['runId', 'VARCHAR PRIMARY KEY'],
  ['client', 'VARCHAR NOT NULL'],
  ['process', 'VARCHAR NOT NULL'],
  ['businessRef', 'VARCHAR NOT NULL'],
  ['receivedMs', 'BIGINT NOT NULL'],
  ['startedMs', 'BIGINT NOT NULL'],
  ['closedMs', 'BIGINT NOT NULL'],
  ['status', 'VARCHAR NOT NULL'],
  ['outcome', 'VARCHAR'],
  ['humanTasks', 'INTEGER NOT NULL'],
  ['handleMs', 'BIGINT NOT NULL'],
  ['waitMs', 'BIGINT NOT NULL'],
  ['botMs', 'BIGINT NOT NULL'],
  ['botSteps', 'INTEGER NOT NULL'],
  ['botFailures', 'INTEGER NOT NULL'],
  ['businessExceptions', 'VARCHAR[] NOT NULL'],
  ['systemExceptions', 'VARCHAR[] NOT NULL'],
  ['slaBreached', 'BOOLEAN NOT NULL'],
  ['qaSampled', 'BOOLEAN NOT NULL'],
  ['qaProbability', 'DOUBLE'],
  ['qaResult', 'VARCHAR'],
  ['qaReason', 'VARCHAR'],
  ['turnaroundMs', 'BIGINT'],
  ['withinTarget', 'BOOLEAN'],
  ['slVersion', 'INTEGER'],
  ['cost', 'DOUBLE'],
];
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const STAGING = 'run_facts_staging';
const VARCHAR_LIST = LIST(VARCHAR);

function append(appender: DuckDBAppender, sqlType: string, value: unknown): void {
  if (value === null || value === undefined) return appender.appendNull();
  const type = sqlType.split(' ')[0];
  if (type === 'VARCHAR') appender.appendVarchar(String(value));
  else if (type === 'BIGINT') appender.appendBigInt(BigInt(Math.round(Number(value))));
  else if (type === 'INTEGER') appender.appendInteger(Number(value));
  else if (type === 'DOUBLE') appender.appendDouble(Number(value));
  else if (type === 'BOOLEAN') appender.appendBoolean(Boolean(value));
  else if (type === 'VARCHAR[]') appender.appendList(value as string[], VARCHAR_LIST);
  else throw new Error(`No appender for ${sqlType}`);
}

export type SqlRow = Record<string, unknown>;

export class RunFactStore {
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    private readonly levels: readonly ServiceLevel[],
  ) {}

  /** `path`: a DuckDB file (one writer process: the API that owns it), or `:memory:`. */
  static async open(path: string, levels: readonly ServiceLevel[]): Promise<RunFactStore> {
    const instance = await DuckDBInstance.create(path);
    const db = await instance.connect();
    await db.run(`CREATE TABLE IF NOT EXISTS run_facts (${COLUMNS.map(([c, t]) => `${snake(c)} ${t}`).join(', ')})`);
    await db.run('CREATE TABLE IF NOT EXISTS feed_state (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
    return new RunFactStore(instance, db, levels);
  }

  /** Adds or replaces facts (by run id), deriving turnaround and cost from their service level. */
  async upsert(facts: readonly RunFact[]): Promise<number> {
    const rows = facts.map((f) => toFactRow(f, this.levels));
    return this.upsertRows(rows);
  }

  /**
   * Appends the rows to a staging table (DuckDB's appender: no SQL text or bound parameters per
   * value), then replaces them into run_facts by run id in one statement.
   */
  upsertRows(rows: readonly FactRow[]): Promise<number> {
    // One at a time: concurrent calls would share the staging table.
    const next = this.writing.then(() => this.stageAndReplace(rows));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async stageAndReplace(rows: readonly FactRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    await this.db.run(`CREATE TABLE IF NOT EXISTS ${STAGING} AS SELECT * FROM run_facts LIMIT 0`);
    await this.db.run(`DELETE FROM ${STAGING}`);
    const appender = await this.db.createAppender(STAGING);
    try {
      for (const row of rows) {
        for (const [c, type] of COLUMNS) append(appender, type, row[c]);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await this.db.run(`INSERT OR REPLACE INTO run_facts SELECT * FROM ${STAGING}`);
    await this.db.run(`DELETE FROM ${STAGING}`);
    return rows.length;
  }

  async query(sql: string, values: DuckDBValue[] = []): Promise<SqlRow[]> {
    const reader = await this.db.runAndReadAll(sql, values);
    return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  }

  async count(): Promise<number> {
    return Number((await this.query('SELECT count(*) AS n FROM run_facts'))[0]!.n);
  }

  async clear(): Promise<void> {
    await this.db.run('DELETE FROM run_facts');
    await this.db.run('DELETE FROM feed_state');
  }

  async feedState(name: string): Promise<string | undefined> {
    const rows = await this.query('SELECT value FROM feed_state WHERE name = ?', [name]);
    return rows[0]?.value as string | undefined;
  }

  async setFeedState(name: string, value: string): Promise<void> {
    await this.db.run('INSERT OR REPLACE INTO feed_state VALUES (?, ?)', [name, value]);
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }
}

export const column = snake;
