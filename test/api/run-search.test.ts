// GET /runs on the real stack: every filter on runs a worker really moved (decided, waiting on a
// person, waiting on a bot, terminated); a thousand runs paged without gaps or repeats while runs
// start and close during the paging; never another client's run; bad query fields named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { createInboxActivities } from '../../activities/inbox';
import { Roster } from '../../inbox/roster';
import { manualTaskProcess } from '../../workflows/manual-task/definition';
import { referenceRunId } from '../../workflows/engine/run-identity';
import { bearer } from '../support/auth';
import { freshClaim, startApi, type TestApi } from '../support/tandem-api';
import type { Client } from '@temporalio/client';
import { eventually, stackEnv, temporalClient, uniqueId, workerConnection, workerDataConverter } from '../support/temporal';

interface Row {
  runId: string;
  process: string;
  client: string;
  businessRef?: string;
  status: string;
  phase?: string;
  startedAt: string;
  closedAt?: string;
  url: string;
  auditUrl: string;
}
interface Listing {
  runs: Row[];
  nextCursor?: string;
}

const SA = {
  client: defineSearchAttributeKey('TandemClient', SearchAttributeType.KEYWORD),
  process: defineSearchAttributeKey('TandemProcess', SearchAttributeType.KEYWORD),
  businessRef: defineSearchAttributeKey('TandemBusinessRef', SearchAttributeType.KEYWORD),
};

let api: TestApi;
let temporal: { client: Client; close: () => Promise<void> };
let SAM: Record<string, string>;
const prefix = uniqueId('runs');
/** Every run this file starts, terminated at the end so no later test's worker picks one up. */
const started = new Set<string>();

beforeAll(async () => {
  SAM = await bearer('sam.rivera');
  [api, temporal] = await Promise.all([startApi(prefix), temporalClient()]);
});
afterAll(async () => {
  if (temporal) await inParallel([...started], 25, (id) => temporal.client.workflow.getHandle(id).terminate('run-search test done').catch(() => undefined));
  await temporal?.close();
  await api?.close();
});

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function list(headers: Record<string, string>, query: Record<string, string | number | undefined>): Promise<Listing> {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const res = await api.app.inject({ method: 'GET', url: `/runs?${params}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const ids = (listing: Listing) => listing.runs.map((r) => r.runId);

/** (startedAt, runId) descending, as the API promises. */
function expectNewestFirst(rows: Row[]): void {
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    const order = Date.parse(b.startedAt) - Date.parse(a.startedAt) || (b.runId < a.runId ? -1 : 1);
    expect(order, `${a.runId} (${a.startedAt}) before ${b.runId} (${b.startedAt})`).toBeLessThan(0);
  }
}

describe('GET /runs', () => {
  it('filters by process, client, status, business reference and start time, and names bad fields', async () => {
    const connection = await workerConnection();
    const worker = await Worker.create({
      connection,
      namespace: stackEnv().TEMPORAL_NAMESPACE!,
      taskQueue: 'tandem-orchestration',
      dataConverter: workerDataConverter(),
      workflowBundle: { codePath: stackEnv().TANDEM_WORKFLOW_BUNDLE! },
      activities: createInboxActivities({ index: api.index, roster: Roster.load() }),
    });
    const since = new Date().toISOString();
    const ref = uniqueId('RS');
    await worker.runUntil(async () => {
      const start = async (process: string, payload: object): Promise<string> => {
        const res = await api.app.inject({ method: 'POST', url: `/processes/${process}/runs`, headers: SAM, payload });
        expect(res.statusCode, res.body).toBe(201);
        started.add(res.json().runId);
        return res.json().runId;
      };
      const manual = (client: string, reference: string) => start('manual-task', { client, reference, title: `Sign-off ${reference}`, team: 'claims-review' });
      // One after another, so their start times differ and the time filters have something to cut.
      const decided = await manual('acme-health', `${ref}-A1`);
      const waiting = await manual('globex-insurance', `${ref}-G1`);
      const terminated = await manual('acme-health', `${ref}-A2`);
      // No bot worker in this file: the claim review waits at its first bot step.
      const review = await start('claim-review', { client: 'acme-health', claimRef: freshClaim('CLM-1003') });

      const taskOf = (runId: string) =>
        eventually(async () => (await api.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: SAM })).json().openTasks?.[0]?.taskId as string | undefined, `the task of ${runId}`);
      await taskOf(waiting);
      const decision = await api.app.inject({ method: 'POST', url: `/tasks/${await taskOf(decided)}/complete`, headers: SAM, payload: { action: 'approve', data: {} } });
      expect(decision.statusCode, decision.body).toBe(200);
      await temporal.client.workflow.getHandle(terminated).terminate('withdrawn by the client');

      // Visibility catches up a moment later: wait until every run shows its final state.
      const all = await eventually(async () => {
        const page = await list(SAM, { startedAfter: since });
        const by = new Map(page.runs.map((r) => [r.runId, r]));
        const settled = by.get(decided)?.status === 'completed' && by.get(terminated)?.status === 'terminated' && by.get(waiting)?.phase === 'waiting-human' && by.get(review)?.phase === 'waiting-bot';
        return settled && page;
      }, 'the four runs in visibility, settled', 30_000, 250);
      expect(ids(all)).toEqual([review, terminated, waiting, decided]);
      expectNewestFirst(all.runs);
      const row = all.runs.find((r) => r.runId === decided)!;
      expect(row).toMatchObject({ process: 'manual-task', client: 'acme-health', businessRef: `${ref}-A1`, status: 'completed', phase: 'completed', url: `/runs/${decided}`, auditUrl: `/runs/${decided}/audit` });
      expect(Date.parse(row.closedAt!)).toBeGreaterThanOrEqual(Date.parse(row.startedAt));
      expect(all.runs.find((r) => r.runId === waiting)!.closedAt).toBeUndefined();
      // The links lead to the run's steps and its audit.
      expect((await api.app.inject({ method: 'GET', url: row.url, headers: SAM })).json().steps.length).toBeGreaterThan(0);
      const audit = (await api.app.inject({ method: 'GET', url: row.auditUrl, headers: SAM })).json();
      expect(audit.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['started', 'complete']));

      const find = async (query: Record<string, string>) => ids(await list(SAM, { startedAfter: since, ...query }));
      expect(await find({ process: 'manual-task' })).toEqual([terminated, waiting, decided]);
      expect(await find({ process: 'claim-review' })).toEqual([review]);
      expect(await find({ client: 'acme-health' })).toEqual([review, terminated, decided]);
      expect(await find({ client: 'globex-insurance' })).toEqual([waiting]);
      expect(await find({ status: 'running' })).toEqual([review, waiting]);
      expect(await find({ status: 'waiting-human' })).toEqual([waiting]);
      expect(await find({ status: 'waiting-bot' })).toEqual([review]);
      expect(await find({ status: 'completed' })).toEqual([decided]);
      expect(await find({ status: 'terminated' })).toEqual([terminated]);
      expect(await find({ status: 'failed' })).toEqual([]);
      expect(await find({ businessRef: `${ref}-G1` })).toEqual([waiting]);
      expect(await find({ businessRef: `${ref}-G1`, client: 'acme-health' })).toEqual([]);
      expect(await find({ process: 'manual-task', client: 'acme-health', status: 'terminated' })).toEqual([terminated]);
      const waitingAt = all.runs.find((r) => r.runId === waiting)!.startedAt;
      expect(await find({ startedAfter: waitingAt })).toEqual([review, terminated, waiting]);
      expect(await find({ startedBefore: waitingAt })).toEqual([decided]);
      const reviewAt = all.runs.find((r) => r.runId === review)!.startedAt;
      expect(ids(await list(SAM, { startedAfter: waitingAt, startedBefore: reviewAt }))).toEqual([terminated, waiting]);
      // Paged two at a time: the same runs in the same order.
      const first = await list(SAM, { startedAfter: since, limit: 2 });
      expect(ids(first)).toEqual([review, terminated]);
      const second = await list(SAM, { startedAfter: since, limit: 2, cursor: first.nextCursor });
      expect(ids(second)).toEqual([waiting, decided]);
      expect(second.nextCursor).toBeUndefined();

      // Ben serves acme-health only: globex's run is nowhere, and a filter on globex finds nothing.
      const BEN = await bearer('ben.okafor');
      expect(ids(await list(BEN, { startedAfter: since }))).toEqual([review, terminated, decided]);
      expect(ids(await list(BEN, { startedAfter: since, client: 'globex-insurance' }))).toEqual([]);
      expect(ids(await list(BEN, { businessRef: `${ref}-G1` }))).toEqual([]);
    });
    await connection.close();

    const bad: Array<[string, string]> = [
      ['status=nope', 'querystring.status'],
      ['process=no-such-process', 'querystring.process'],
      ['client=Not%20A%20Client', 'querystring.client'],
      ["businessRef=x'%20OR%20'1'='1", 'querystring.businessRef'],
      ['startedAfter=yesterday', 'querystring.startedAfter'],
      ['startedAfter=2026-02-01T00:00:00Z&startedBefore=2026-01-01T00:00:00Z', 'querystring.startedBefore'],
      ['limit=0', 'querystring.limit'],
      ['limit=201', 'querystring.limit'],
      ['cursor=not-a-cursor', 'querystring.cursor'],
      [`cursor=${Buffer.from(JSON.stringify({ v: 1, t: -5, id: 'x' })).toString('base64url')}`, 'querystring.cursor'],
    ];
    for (const [query, field] of bad) {
      const res = await api.app.inject({ method: 'GET', url: `/runs?${query}`, headers: SAM });
      expect(res.statusCode, query).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().field, query).toBe(field);
    }
  });

  it('pages a thousand runs newest first, without gaps or repeats while runs start and close, never another client’s', async () => {
    // Started straight on Temporal with the search attributes the API gives a run, on a task queue
    // no worker polls: each stays exactly as started until closed here.
    const idleQueue = uniqueId('runs-idle');
    const clients = ['acme-health', 'globex-insurance', 'initech'];
    const batch = uniqueId('BULK');
    const since = new Date().toISOString();
    const clientOf = new Map<string, string>();
    const startRun = async (i: number): Promise<string> => {
      const client = clients[i % clients.length]!;
      const reference = `${batch}-${String(i).padStart(4, '0')}`;
      const workflowId = referenceRunId(manualTaskProcess.name, client, reference);
      await temporal.client.workflow.start(manualTaskProcess.workflowType, {
        taskQueue: idleQueue,
        workflowId,
        args: [{ client, reference, title: `Bulk ${reference}`, team: 'claims-review' }],
        typedSearchAttributes: new TypedSearchAttributes([
          { key: SA.client, value: client },
          { key: SA.process, value: manualTaskProcess.name },
          { key: SA.businessRef, value: reference },
        ]),
      });
      started.add(workflowId);
      clientOf.set(workflowId, client);
      return workflowId;
    };
    const close = (id: string) => temporal.client.workflow.getHandle(id).terminate('closed while the list is read');

    let t = Date.now();
    const original: string[] = [];
    await inParallel([...Array(1000).keys()], 25, async (i) => void (original[i] = await startRun(i)));
    const startMs = Date.now() - t;
    // Closed in random order, so the closed runs' close order is not their start order: many of
    // them, so a page cut that trusted visibility's close-time order would miss some.
    const CLOSED_FIRST = 300;
    const shuffled = [...original].sort(() => Math.random() - 0.5);
    await inParallel(shuffled.slice(0, CLOSED_FIRST), 25, close);
    t = Date.now();
    const base = `WorkflowType = '${manualTaskProcess.workflowType}' AND TaskQueue = '${idleQueue}'`;
    await eventually(
      async () => (await temporal.client.workflow.count(base)).count === 1000 && (await temporal.client.workflow.count(`${base} AND ExecutionStatus = 'Terminated'`)).count === CLOSED_FIRST,
      'the thousand runs, some closed, in visibility',
      30_000,
      200,
    );
    const catchUpMs = Date.now() - t;

    // Priya serves all three clients: she pages through all of them, 100 at a time. After the
    // 2nd and 5th page, ten new runs start and twenty runs close (some shown, some not yet).
    const PRIYA = await bearer('priya.nair');
    const seen: Row[] = [];
    const pageMs: number[] = [];
    const startedDuring: string[] = [];
    let closedDuring = CLOSED_FIRST;
    let cursor: string | undefined;
    do {
      const at = performance.now();
      const page = await list(PRIYA, { startedAfter: since, limit: 100, cursor });
      pageMs.push(performance.now() - at);
      seen.push(...page.runs);
      cursor = page.nextCursor;
      if (pageMs.length === 2 || pageMs.length === 5) {
        for (let j = 0; j < 10; j++) startedDuring.push(await startRun(1000 + startedDuring.length));
        await inParallel(shuffled.slice(closedDuring, closedDuring + 20), 10, close);
        closedDuring += 20;
      }
    } while (cursor && pageMs.length < 20);
    const seenIds = seen.map((r) => r.runId);
    expect(pageMs).toHaveLength(10);
    expect(new Set(seenIds).size, 'no run twice').toBe(seenIds.length);
    expect([...seenIds].sort(), 'every run once, none started during the paging').toEqual([...original].sort());
    expectNewestFirst(seen);
    expect(seen.filter((r) => shuffled.slice(0, CLOSED_FIRST).includes(r.runId)).every((r) => r.status === 'terminated' && r.closedAt)).toBe(true);

    // Ben serves acme-health only: a full pass shows exactly acme's runs (the new ones first), nothing else.
    const BEN = await bearer('ben.okafor');
    const acme = [...original, ...startedDuring].filter((id) => clientOf.get(id) === 'acme-health');
    const bens = await eventually(async () => {
      const rows: Row[] = [];
      let next: string | undefined;
      do {
        const page = await list(BEN, { startedAfter: since, limit: 200, cursor: next });
        rows.push(...page.runs);
        next = page.nextCursor;
      } while (next);
      return rows.length === acme.length && rows;
    }, 'Ben’s full pass, new runs included', 20_000, 250);
    expect(bens.every((r) => r.client === 'acme-health')).toBe(true);
    expect(bens.map((r) => r.runId).sort()).toEqual([...acme].sort());
    expectNewestFirst(bens);
    expect(new Set(bens.slice(0, startedDuring.filter((id) => clientOf.get(id) === 'acme-health').length).map((r) => r.runId))).toEqual(
      new Set(startedDuring.filter((id) => clientOf.get(id) === 'acme-health')),
    );
    for (const client of ['globex-insurance', 'initech']) expect(ids(await list(BEN, { startedAfter: since, client }))).toEqual([]);

    // The closed ones as a status filter, once visibility has the last closes.
    const terminatedIds = await eventually(async () => {
      const rows: Row[] = [];
      let next: string | undefined;
      do {
        const page = await list(PRIYA, { startedAfter: since, status: 'terminated', limit: 200, cursor: next });
        rows.push(...page.runs);
        next = page.nextCursor;
      } while (next);
      return rows.length === closedDuring && rows.map((r) => r.runId);
    }, 'every closed run under status=terminated', 20_000, 250);
    expect(terminatedIds.sort()).toEqual(shuffled.slice(0, closedDuring).sort());

    const sorted = [...pageMs].sort((a, b) => a - b);
    console.log(
      `runs list: started 1,000 runs in ${startMs} ms, visible ${catchUpMs} ms later; 10 pages of 100: ` +
        `median ${sorted[5]!.toFixed(0)} ms, max ${sorted[9]!.toFixed(0)} ms, all ${pageMs.reduce((a, b) => a + b, 0).toFixed(0)} ms`,
    );
  });
});
