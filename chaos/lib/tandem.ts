// What a chaos scenario does to Tandem and reads back, all over HTTP as a client would: starting
// DataEntry batches through the API (as the scheduler nina.berg), following them, and reading the
// sandbox CRM's ledger, which is the proof of what the bots really did.
import { randomInt } from 'node:crypto';
import { tokenSettings } from '../../api/auth/token-settings';
import { mintToken } from '../../api/auth/token-verifier';
import { Roster } from '../../inbox/roster';
import { loadConfig } from '../../platform/config';
import { customer, documentOf } from '../../test/e2e/fixtures/crm-documents';

export const CLIENT = 'acme-health';

export interface BatchProgress {
  runStatus: string;
  batchId?: string;
  done: number;
  pending: number;
  running: number;
  attended: number;
}

export interface LedgerCount {
  /** Items with exactly one CRM record. */
  once: number;
  /** Items the CRM has no record of. */
  lost: string[];
  /** Items with more than one record (the number of extra records). */
  duplicates: number;
}

/** An API call's answer; status 0 when none came (refused, reset, timed out). */
export interface Reply {
  status: number;
  json: any;
}

/** The claims-review operators of the demo roster who serve acme-health. */
export const OPERATORS = ['ana.lima', 'ben.okafor'] as const;
/** Everyone the suite acts as: the operators, the data-entry operator, the scheduler and the supervisor. */
export type Person = (typeof OPERATORS)[number] | 'dana.kim' | 'scheduler' | 'supervisor';

export class Tandem {
  private constructor(
    private readonly api: string,
    private readonly crm: string,
    private readonly headers: Record<Person, Record<string, string>>,
  ) {}

  /** Tokens minted with the stack's own secret (as scripts/print-tokens.ts does for the demo). */
  static async connect(settings: Record<string, string>): Promise<Tandem> {
    const config = loadConfig({ ...process.env, ...settings });
    const token = tokenSettings(config);
    const roster = Roster.load(config.rosterFile);
    const bearer = async (id: string) => {
      const op = roster.find(id)!;
      const jwt = await mintToken(token, { id: op.operatorId, name: op.name, roles: op.roles, teams: op.teams, clients: op.clients });
      return { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' };
    };
    return new Tandem(settings.TANDEM_API_URL!, settings.SANDBOX_CRM_URL!, {
      scheduler: await bearer('nina.berg'),
      supervisor: await bearer('sam.rivera'),
      'ana.lima': await bearer('ana.lima'),
      'ben.okafor': await bearer('ben.okafor'),
      'dana.kim': await bearer('dana.kim'),
    });
  }

  /** One API call as `who`, with an Idempotency-Key when given; never throws (status 0: no answer). */
  async as(who: Person, method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<Reply> {
    const headers = idempotencyKey ? { ...this.headers[who], 'idempotency-key': idempotencyKey } : this.headers[who];
    return this.call(method, path, headers, body).catch((err: Error) => ({ status: 0, json: { error: err.message } }));
  }

  /** Switches the sandbox CRM's misbehaviours (sandbox/client-crm/quirks.ts) through its loopback admin API. */
  async crmQuirks(patch: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.crm}/__admin/quirks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`CRM quirks ${JSON.stringify(patch)}: ${res.status} ${await res.text()}`);
  }

  private async call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
    const res = await fetch(this.api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let json: unknown = {};
    try {
      json = JSON.parse(text);
    } catch {
      json = { text };
    }
    return { status: res.status, json };
  }

  /**
   * Starts a DataEntry run keying `items` sure documents (no human step), `concurrency` at once;
   * retried with the same Idempotency-Key until the API answers, so there is one run whatever fails.
   */
  async startDataEntry(batchKey: string, items: number, concurrency: number): Promise<{ runId: string; refs: string[] }> {
    const accounts = 400_000 + randomInt(0, 5_000) * 100;
    const documents = Array.from({ length: items }, (_, i) => documentOf(`C-${String(i + 1).padStart(5, '0')}`, customer(i, `AC-${accounts + i}`)));
    const headers = { ...this.headers.scheduler, 'idempotency-key': `chaos-${batchKey}` };
    for (let tries = 0; ; tries++) {
      const reply = await this.call('POST', '/processes/data-entry/runs', headers, { client: CLIENT, batchKey, documents, concurrency }).catch((err: Error) => ({ status: 0, json: { error: err.message } }));
      if (reply.status === 201 || reply.status === 200) return { runId: reply.json.runId as string, refs: documents.map((d) => `${batchKey}:${d.docRef}:record`) };
      if (tries >= 30) throw new Error(`POST /processes/data-entry/runs: ${reply.status} ${JSON.stringify(reply.json)}`);
      await sleep(1_000);
    }
  }

  /** Starts a ManualTask run for the claims-review team, retried with its key until it answers. */
  async startManualTask(reference: string): Promise<string> {
    const input = { client: CLIENT, reference, title: `Chaos decision ${reference}`, team: 'claims-review', priority: 3 };
    for (let tries = 0; ; tries++) {
      const reply = await this.call('POST', '/processes/manual-task/runs', { ...this.headers.supervisor, 'idempotency-key': reference }, input).catch(() => ({ status: 0, json: {} }) as Reply);
      if (reply.status === 201 || reply.status === 200) return reply.json.runId as string;
      if (tries >= 30) throw new Error(`POST /processes/manual-task/runs ${reference}: ${reply.status} ${JSON.stringify(reply.json)}`);
      await sleep(500);
    }
  }

  /** The run's status and its first open task, if any; undefined while the API cannot answer. */
  async run(runId: string): Promise<{ status: string; taskId?: string } | undefined> {
    const reply = await this.call('GET', `/runs/${encodeURIComponent(runId)}`, this.headers.supervisor).catch(() => undefined);
    if (reply?.status !== 200) return undefined;
    return { status: reply.json.status as string, taskId: reply.json.openTasks?.[0]?.taskId as string | undefined };
  }

  /** An operator's decision on a task, with its Idempotency-Key; never throws. */
  async approve(taskId: string, operator: Person, key: string): Promise<Reply> {
    return this.call('POST', `/tasks/${encodeURIComponent(taskId)}/complete`, { ...this.headers[operator], 'idempotency-key': key }, { action: 'approve', data: { note: 'chaos' } }).catch(() => ({ status: 0, json: {} }));
  }

  /** Decisions the run's history records (its audit trail): exactly one for a task decided once. */
  async recordedDecisions(runId: string): Promise<number> {
    const reply = await this.call('GET', `/runs/${encodeURIComponent(runId)}/audit`, this.headers.supervisor);
    if (reply.status !== 200) throw new Error(`GET /runs/${runId}/audit: ${reply.status} ${JSON.stringify(reply.json)}`);
    return (reply.json.entries as Array<{ action: string; outcome: string }>).filter((e) => e.action === 'complete' && e.outcome === 'done').length;
  }

  /** The run's status and its batch's counts; undefined while the API cannot answer (a fault is on). */
  async progress(runId: string): Promise<BatchProgress | undefined> {
    try {
      const run = await this.call('GET', `/runs/${encodeURIComponent(runId)}`, this.headers.supervisor);
      if (run.status !== 200) return undefined;
      const batchId = run.json.batches?.[0]?.batchId as string | undefined;
      const counts = run.json.outcome?.counts ?? (batchId ? (await this.call('GET', `/batches/${encodeURIComponent(batchId)}`, this.headers.supervisor)).json.counts : undefined);
      return { runStatus: run.json.status as string, batchId, done: counts?.done ?? 0, pending: counts?.pending ?? 0, running: counts?.running ?? 0, attended: counts?.attended ?? 0 };
    } catch {
      return undefined;
    }
  }

  /** GET /runs (visibility: SQL visibility refuses ORDER BY; api/run-finder.ts copes): how many of these runs it lists. */
  async listed(runIds: string[]): Promise<number> {
    const reply = await this.call('GET', '/runs?process=data-entry&limit=100', this.headers.supervisor);
    if (reply.status !== 200) throw new Error(`GET /runs: ${reply.status} ${JSON.stringify(reply.json)}`);
    const seen = new Set((reply.json.runs as Array<{ runId: string }>).map((r) => r.runId));
    return runIds.filter((id) => seen.has(id)).length;
  }

  /** The CRM ledger against the references the batch should have created, each exactly once. */
  async ledger(refs: string[]): Promise<LedgerCount> {
    const res = await fetch(`${this.crm}/__ledger?tenant=${CLIENT}`, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`CRM ledger: ${res.status}`);
    const entries = ((await res.json()) as { entries: Array<{ externalReference: string }> }).entries;
    const counts = new Map<string, number>();
    for (const e of entries) counts.set(e.externalReference, (counts.get(e.externalReference) ?? 0) + 1);
    const lost = refs.filter((ref) => !counts.has(ref));
    const duplicates = refs.reduce((sum, ref) => sum + Math.max(0, (counts.get(ref) ?? 0) - 1), 0);
    return { once: refs.filter((ref) => counts.get(ref) === 1).length, lost, duplicates };
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
