// The `tandem` command line against the real API (listening on a port), the real workers and the
// sandbox client apps: each command runs as a child process, as a person or a script would run
// it, and is judged by what it prints and its exit code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshClaim, startApi, type TestApi } from '../support/tandem-api';
import { WorkerProcess } from '../support/tandem-processes';
import { cli, closedPort, startCli } from '../support/tandem-cli';
import { eventually, temporalClient, uniqueId } from '../support/temporal';
import { bearer, SCHEDULER_KEY } from '../support/auth';
import { AccountNumbers, customer, documentOf } from '../e2e/fixtures/crm-documents';

let api: TestApi;
let workers: WorkerProcess[] = [];
let url = '';
const prefix = uniqueId('cli');
const dir = mkdtempSync(join(tmpdir(), 'tandem-cli-'));
const temporal = await temporalClient();
const endAtClose: string[] = [];

beforeAll(async () => {
  api = await startApi(prefix);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(api.app.server.address() as { port: number }).port}`;
  workers = await Promise.all([WorkerProcess.start('orchestration', { TANDEM_REDIS_PREFIX: prefix }), WorkerProcess.start('bot', { TANDEM_REDIS_PREFIX: prefix })]);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(endAtClose.map((id) => temporal.client.workflow.getHandle(id).terminate('cli test clean-up')));
  await Promise.allSettled(workers.map((w) => w.stop()));
  await api?.close();
  await temporal.close();
  rmSync(dir, { recursive: true, force: true });
});

const tokenOf = async (person: string) => (await bearer(person)).authorization!.replace('Bearer ', '');
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anaTokenFile = file('ana.token', `${await tokenOf('ana.lima')}\n`);
const samToken = await tokenOf('sam.rivera');
const ninaToken = await tokenOf('nina.berg');
// Each caller gives its credential another way: a token file, a token, an API key, a flag.
const ana = () => ({ TANDEM_API_URL: url, TANDEM_TOKEN_FILE: anaTokenFile });
const sam = () => ({ TANDEM_API_URL: url, TANDEM_TOKEN: samToken });
const scheduler = () => ({ TANDEM_API_URL: url, TANDEM_API_KEY: SCHEDULER_KEY.key });
const nina = (...args: string[]) => cli([...args, '--token', ninaToken], { TANDEM_API_URL: url });
/** Waits on the API itself (a CLI process per poll costs a second on a busy machine); the CLI is judged after. */
const apiRead = async (route: string, token: string) => (await fetch(url + route, { headers: { authorization: `Bearer ${token}` } })).json();

describe('tandem, the command line', () => {
  let runId = '';
  let claimRef = '';

  it('starts a claim, follows it live, takes its task next, shows a refused decision’s field, and completes it', async () => {
    claimRef = freshClaim('CLM-1002');
    const input = file('claim.json', { client: 'acme-health', claimRef });
    const key = uniqueId('cli-start');
    // Through the package's bin, as typed in the checkout.
    const started = await startCli(['runs', 'start', 'claim-review', '--input', input, '--idempotency-key', key], scheduler(), ['npx', '--offline', 'tandem']).done;
    expect(started.code, started.stderr).toBe(0);
    runId = /^Started (\S+)$/m.exec(started.stdout)![1]!;
    expect(runId).toBe(`claim-review:acme-health:${claimRef}`);
    const again = await cli(['runs', 'start', 'claim-review', '--input', input, '--idempotency-key', key, '--json'], scheduler());
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ runId, process: 'claim-review', created: false, url: `/runs/${runId}` });

    const watch = startCli(['runs', 'watch', runId, '--interval', '300'], ana());
    const waiting = await eventually(async () => /waiting on team claims-review, task (\S+), since .*, task due .* left\); run SLA due .* left/.exec(watch.output()) ?? undefined, 'the watch to see the review task', 45_000, 200);
    const taskId = waiting[1]!;
    expect(watch.output()).toMatch(/step extract-claim ended/);

    const queue = await cli(['tasks', 'list', '--team', 'claims-review'], ana());
    expect(queue.code, queue.stderr).toBe(0);
    expect(queue.stdout).toMatch(/^TASK +REFERENCE +TITLE +STATUS/m);
    expect(queue.stdout).toMatch(new RegExp(`^${escaped(taskId)} +${claimRef} .* open `, 'm'));

    const next = await cli(['tasks', 'next', '--team', 'claims-review'], ana());
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(new RegExp(`^Task +${escaped(taskId)}$`, 'm'));
    const leaseId = /--lease-id (\S+)/.exec(next.stdout)![1]!;

    const [detail, refused] = await Promise.all([
      cli(['tasks', 'get', taskId], ana()),
      cli(['tasks', 'complete', taskId, '--action', 'reject', '--data-json', '{}', '--lease-id', leaseId], ana()),
    ]);
    expect(detail.stdout).toMatch(/^Status +claimed$/m);
    expect(detail.stdout).toMatch(/^reject +reason\*$/m);
    expect(detail.stdout).toMatch(/^correct +amountCents\*, reason\*$/m);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^tandem: The decision does not match the task form \(400 invalid-decision\)$/m);
    expect(refused.stderr).toMatch(/^ {2}body\.data\.reason: /m);

    const approve = file('approve.json', { reason: 'Matches the invoice' });
    const decided = await cli(['tasks', 'complete', taskId, '--action', 'approve', '--data', approve, '--lease-id', leaseId], ana());
    expect(decided.code, decided.stderr).toBe(0);
    expect(decided.stdout).toMatch(new RegExp(`^Completed ${escaped(taskId)}: approve by ana.lima at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`, 'm'));

    const watched = await watch.done;
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/step review ended/);
    expect(watched.stdout).toMatch(/run completed at /);
    expect(watched.stdout).toMatch(/outcome \{"kind":"adjudicated","decision":"approve"/);

    const [asJson, asTable] = await Promise.all([cli(['runs', 'get', runId, '--json'], ana()), cli(['runs', 'get', runId], ana())]);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ runId, status: 'completed', outcome: { decision: 'approve', decidedBy: 'ana.lima' } });
    expect(asTable.stdout).toMatch(/^Status +completed$/m);
    expect(asTable.stdout).toMatch(/^SLA +due .*, met$/m);
    expect(asTable.stdout).toMatch(/^enter-decision +\d{4}-/m);
  });

  it('reprocesses a completed claim for a supervisor, refuses an operator (problem+json with --json), says when a watched run did not complete, and finds both runs', async () => {
    const refused = await cli(['runs', 'reprocess', runId, '--reason', 'Client re-sent it', '--json'], ana());
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stderr)).toMatchObject({ type: 'urn:tandem:problem:forbidden', status: 403 });

    const again = await cli(['runs', 'reprocess', runId, '--reason', 'Client re-sent the claim'], sam());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`Reprocessing ${runId} as ${runId}:r2`);
    endAtClose.push(`${runId}:r2`);

    const watch = startCli(['runs', 'watch', `${runId}:r2`, '--interval', '300'], sam());
    await eventually(async () => watch.output().includes(`run ${runId}:r2`), 'the watch to start');
    const cancelled = await cli(['runs', 'cancel', `${runId}:r2`, '--reason', 'Client withdrew it after all'], sam());
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`Cancelling ${runId}:r2 by sam.rivera: Client withdrew it after all`);
    const watched = await watch.done;
    expect(watched.code).toBe(5);
    expect(watched.stdout).toMatch(/run cancelled/);
    expect(watched.stderr).toBe(`tandem: run ${runId}:r2 ended cancelled\n`);

    // Both attempts of the business item, newest first (visibility catches up a moment later).
    await eventually(async () => {
      const page = await apiRead(`/runs?businessRef=${claimRef}`, samToken);
      return page.runs?.length === 2 && page.runs[0].status === 'cancelled';
    }, 'both runs of the claim in visibility', 30_000, 200);
    const listed = await cli(['runs', 'list', '--process', 'claim-review', '--business-ref', claimRef, '--json'], ana());
    const found = JSON.parse(listed.stdout);
    expect(found.runs.map((r: { runId: string }) => r.runId)).toEqual([`${runId}:r2`, runId]);
    const completed = await cli(['runs', 'list', '--business-ref', claimRef, '--status', 'completed'], ana());
    expect(completed.stdout).toMatch(/^RUN +PROCESS +CLIENT +REFERENCE +STATUS +STARTED +CLOSED$/m);
    expect(completed.stdout).toMatch(new RegExp(`^${escaped(runId)} +claim-review +acme-health +${claimRef} +completed +\\d{4}-`, 'm'));
    expect(completed.stdout).not.toContain(`${runId}:r2`);
  });

  it('tells usage errors, refusals and an API that does not answer apart by exit code', async () => {
    const port = await closedPort();
    const [noAction, noFile, twoData, unreachable, anonymous] = await Promise.all([
      cli(['tasks', 'complete', 'claim-review:acme-health:X.t1'], ana()),
      cli(['runs', 'start', 'claim-review', '--input', join(dir, 'nowhere.json')], scheduler()),
      cli(['tasks', 'complete', 'x.t1', '--action', 'approve', '--data', 'a.json', '--data-json', '{}'], ana()),
      // No --api and no TANDEM_API_URL: the address is the local stack's, as `bash scripts/stack.sh env` prints it.
      cli(['runs', 'get', 'x'], { TANDEM_API_PORT: String(port), TANDEM_TOKEN: samToken }),
      cli(['runs', 'get', 'x', '--api', url]),
    ]);
    expect(noAction).toMatchObject({ code: 2, stdout: '' });
    expect(noAction.stderr).toContain("required option '--action <action>' not specified");
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain(`Cannot read the input from ${join(dir, 'nowhere.json')}: ENOENT`);
    expect(twoData).toMatchObject({ code: 2, stderr: expect.stringContaining('--data or --data-json, not both') });
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toContain(`tandem: cannot reach the API at http://127.0.0.1:${port}: connect ECONNREFUSED`);
    expect(anonymous.code).toBe(3);
    expect(anonymous.stderr).toMatch(/^tandem: Who is calling\? \(401 unauthenticated\)$/m);
    expect(anonymous.stderr).toContain('TANDEM_TOKEN');
  });

  it('creates, lists, pauses, triggers, backfills, unpauses and deletes a schedule', async () => {
    const scheduleId = uniqueId('cli-nightly');
    const input = { client: 'acme-health', reference: scheduleId, title: 'Nightly check', team: 'data-entry' };
    const spec = { scheduleId, process: 'manual-task', input, spec: { cron: ['0 3 * * *'], timezone: 'Europe/Lisbon' } };
    const created = await nina('schedules', 'create', '--file', file('schedule.json', spec));
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^Created ${scheduleId}$`, 'm'));
    expect(created.stdout).toMatch(/^Spec +cron 0 3 \* \* \* \(Europe\/Lisbon\)$/m);
    const [twice, badInput] = await Promise.all([
      nina('schedules', 'create', '--file', file('schedule.json', spec)),
      nina('schedules', 'create', '--file', file('bad.json', { ...spec, scheduleId: `${scheduleId}-bad`, input: { ...input, title: undefined } })),
    ]);
    expect(twice).toMatchObject({ code: 3, stderr: expect.stringMatching(/^tandem: A schedule with this id already exists \(409 schedule-exists\)$/m) });
    expect(badInput.code).toBe(3);
    expect(badInput.stderr).toMatch(/^ {2}body\.input\.title: /m);

    const listed = new RegExp(`^${scheduleId} +manual-task +acme-health +no `, 'm');
    await eventually(async () => (await apiRead('/schedules?process=manual-task', ninaToken)).schedules.some((x: { scheduleId: string }) => x.scheduleId === scheduleId), 'the schedule in visibility', 30_000, 200);
    expect((await nina('schedules', 'list', '--process', 'manual-task')).stdout).toMatch(listed);
    const paused = await nina('schedules', 'pause', scheduleId, '--note', 'Client on holiday');
    expect(paused).toMatchObject({ code: 0, stdout: `Paused ${scheduleId}: Client on holiday\n` });
    // Paused, a schedule still takes a run by hand and a backfill.
    const [shown, trigger, backfill] = await Promise.all([
      nina('schedules', 'get', scheduleId),
      nina('schedules', 'trigger', scheduleId),
      nina('schedules', 'backfill', scheduleId, '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-02T00:00:00Z', '--overlap', 'ALLOW_ALL'),
    ]);
    expect(shown.stdout).toMatch(/^Paused +yes: Client on holiday$/m);
    expect(trigger.code, trigger.stderr).toBe(0);
    expect(backfill.code, backfill.stderr).toBe(0);
    await eventually(async () => (await apiRead(`/schedules/${scheduleId}`, ninaToken)).recentRuns.length === 2, 'the triggered and the backfilled run', 30_000, 200);
    const { recentRuns: runs } = JSON.parse((await nina('schedules', 'get', scheduleId, '--json')).stdout);
    endAtClose.push(...runs.map((r: { runId: string }) => r.runId));
    expect(runs.map((r: { scheduledAt: string }) => r.scheduledAt)).toContain('2026-01-01T03:00:00.000Z');

    expect((await nina('schedules', 'unpause', scheduleId)).stdout).toMatch(new RegExp(`^Unpaused ${scheduleId}; next run \\d{4}-`));
    expect(await nina('schedules', 'delete', scheduleId)).toMatchObject({ code: 0, stdout: `Deleted ${scheduleId}\n` });
    expect((await nina('schedules', 'get', scheduleId)).stderr).toMatch(/\(404 schedule-not-found\)/);
  });

  it('shows a batch’s progress and its items', async () => {
    const accounts = new AccountNumbers();
    const batchKey = uniqueId('cli-mailroom');
    const documents = [1, 2].map((n) => documentOf(`D-0${n}`, customer(n, accounts.take())));
    const delivery = file('delivery.json', { client: 'acme-health', batchKey, documents });
    const started = await cli(['runs', 'start', 'data-entry', '--input', delivery, '--json'], scheduler());
    expect(started.code, started.stderr).toBe(0);
    const batchId = `data-entry.batch.acme-health.${batchKey}`;
    await eventually(async () => (await apiRead(`/batches/${batchId}`, samToken)).counts?.done === 2, 'both documents keyed', 45_000, 200);
    const [asJson, shown, items, badStatus] = await Promise.all([
      cli(['batches', 'get', batchId, '--json'], ana()),
      cli(['batches', 'get', batchId], ana()),
      cli(['batches', 'items', batchId, '--status', 'done', '--json'], ana()),
      cli(['batches', 'items', batchId, '--status', 'finished'], ana()),
    ]);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ batchId, client: 'acme-health', total: 2, counts: { done: 2 } });
    expect(shown.stdout).toMatch(new RegExp(`^Batch +${escaped(batchId)}$`, 'm'));
    expect(shown.stdout).toMatch(/^done +2$/m);
    expect(JSON.parse(items.stdout).items.map((i: { ref: string }) => i.ref)).toEqual(['D-01', 'D-02']);
    expect(badStatus.code).toBe(3);
    expect(badStatus.stderr).toMatch(/^ {2}querystring\.status: /m);
  });
});
