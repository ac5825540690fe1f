// The outage drill: Tandem's real API and orchestration worker (child processes, as a user runs
// them) on a Temporal and a Redis of their own; with runs waiting at their tasks, Temporal, Redis,
// then both are killed (SIGKILL) for a while and started again (Redis empty), and every call an
// operator makes meanwhile is timed. The same drill gives the "before" and "after" figures
// (bench/outage.ts) and backs the outage tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { mintToken, type TokenSettings } from '../../api/auth/token-verifier';
import { Roster } from '../../inbox/roster';
import { bundleWorkflows } from '../../workers/workflow-source';
import { freePort, PrivateRedis, PrivateTemporal, ROOT } from './private-services';
import { WebhookWatch } from './webhook-watch';

export type Outage = 'temporal' | 'redis' | 'both';
export type CallName = 'run' | 'decide' | 'take-next' | 'team-tasks' | 'ready';

export interface Answer {
  call: CallName;
  status: number | 'no answer';
  ms: number;
  type?: string;
  problem?: string;
  /** The problem's `dependency` and `recorded` (no / unknown). */
  dependency?: string;
  recorded?: string;
  retryAfter?: string;
  /** The body's `degraded`/`stale` marks, where the route gives them. */
  marks?: Record<string, unknown>;
  /** Sent while the dependency was away, answered after it was back. */
  answeredAfterReturn: boolean;
}

export interface OutageReport {
  outage: Outage;
  outageMs: number;
  answers: Answer[];
  /** From the dependency answering again to the first decision answered 200. */
  returnToDecisionMs?: number;
  /** From the dependency answering again to the first take-next that handed out a task. */
  returnToTakeNextMs?: number;
  /** From the dependency answering again to the run being completed by the worker. */
  returnToRunDoneMs?: number;
  /** Decisions recorded in the run's history (must be exactly 1). */
  recordedDecisions: number;
  /** A task reassigned while the dependency was away (or once it is back, if it could not be then):
   *  its `task.assigned` webhook, from the return to its first delivery, and how often it came. */
  webhook: { emittedWhileAway: boolean; returnToDeliveryMs?: number; deliveries: number };
}

export interface DrillOptions {
  dir: string;
  outageMs: number;
  outages: Outage[];
  /** The client side's patience per request (what an operator's browser or an integration waits). */
  clientTimeoutMs?: number;
  /** A prebuilt workflow bundle (the tests have one); else bundled here. */
  bundle?: string;
  log?: (line: string) => void;
}

const TEAM = 'claims-review';
const CLIENT = 'acme-health';
/** Derived by scripts/lib/env.sh for a stack; inherited values would point the drill elsewhere. */
const INHERITED = ['TEMPORAL_ADDRESS', 'REDIS_URL', 'TANDEM_REDIS_PREFIX', 'TANDEM_STATE_DIR', 'TANDEM_API_PORT', 'TANDEM_WORKFLOW_BUNDLE',
  'TANDEM_PAYLOAD_KEYS_FILE', 'TANDEM_PAYLOAD_KEYS', 'TANDEM_BOT_METRICS_PORT', 'TANDEM_NOTIFIER_METRICS_PORT', 'TANDEM_JWT_SECRET_FILE', 'TANDEM_JWKS_URL'];

class Child {
  private output = '';
  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-200_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(script: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<Child> {
    const child = new Child(spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const deadline = Date.now() + 90_000;
    while (!ready.test(child.output)) {
      if (child.child.exitCode !== null) throw new Error(`${script} exited (${child.child.exitCode}):\n${child.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${script} not ready in 90 s:\n${child.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return child;
  }

  get log(): string {
    return this.output;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

export interface Drill {
  api: string;
  temporal: PrivateTemporal;
  redis: PrivateRedis;
  worker: Child;
  apiProcess: Child;
  notifier: Child;
  /** A bearer token of a demo roster person (ana.lima, ben.okafor, sam.rivera) valid on this API. */
  token(operatorId: string): Promise<string>;
  run(outage: Outage): Promise<OutageReport>;
  stop(): Promise<void>;
}

export async function startDrill(options: DrillOptions): Promise<Drill> {
  const log = options.log ?? (() => undefined);
  const clientTimeoutMs = options.clientTimeoutMs ?? 30_000;
  const temporal = await PrivateTemporal.create(`${options.dir}/temporal`);
  const redis = await PrivateRedis.create(`${options.dir}/redis`);
  const stopping: Array<() => Promise<void>> = [() => temporal.stop(), () => redis.stop()];
  const stop = async () => {
    for (const step of stopping.reverse()) await step().catch(() => undefined);
  };
  try {
    await Promise.all([temporal.start(), redis.start()]);
    log(`private Temporal on ${temporal.address}, Redis on ${redis.url}`);
    let bundle = options.bundle;
    if (!bundle) {
      bundle = `${options.dir}/workflow-bundle.js`;
      await writeFile(bundle, await bundleWorkflows());
    }
    const settings: TokenSettings = { secret: randomBytes(32).toString('base64url'), issuer: 'tandem', audience: 'tandem-api' };
    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of INHERITED) delete env[name];
    Object.assign(env, {
      TEMPORAL_ADDRESS: temporal.address,
      REDIS_URL: redis.url,
      TANDEM_REDIS_PREFIX: 'drill',
      TANDEM_STATE_DIR: options.dir,
      TANDEM_PAYLOAD_KEYS_FILE: '',
      TANDEM_WORKFLOW_BUNDLE: bundle,
      TANDEM_JWT_SECRET: settings.secret,
      TANDEM_API_PORT: String(apiPort),
      LOG_LEVEL: 'info',
    });
    const worker = await Child.start('workers/orchestration.ts', env, /worker started/);
    stopping.push(() => worker.stop());
    const apiProcess = await Child.start('api/server.ts', env, /Server listening/);
    stopping.push(() => apiProcess.stop());
    const notifier = await Child.start('workers/notifier.ts', env, /notifier started/);
    stopping.push(() => notifier.stop());
    const watch = await WebhookWatch.start();
    stopping.push(() => watch.close());
    const api = `http://127.0.0.1:${apiPort}`;
    log(`API on ${api}, orchestration worker and notifier up`);

    const roster = Roster.load();
    const token = async (id: string) => {
      const op = roster.find(id)!;
      return mintToken(settings, { id: op.operatorId, name: op.name, roles: op.roles, teams: op.teams, clients: op.clients });
    };
    const headers = async (id: string) => ({ authorization: `Bearer ${await token(id)}`, 'content-type': 'application/json' });
    const as = { sam: await headers('sam.rivera'), ana: await headers('ana.lima'), ben: await headers('ben.okafor') };
    const http = new Http(api, clientTimeoutMs);
    const subscribed = await http.call('POST', '/webhooks/subscriptions', as.sam, { client: CLIENT, url: watch.url, eventTypes: ['task.assigned'] });
    if (subscribed.answer.status !== 201) throw new Error(`could not subscribe to task.assigned: ${JSON.stringify(subscribed.body)}`);

    const openTask = async (priority: number): Promise<{ runId: string; taskId: string }> => {
      const reference = `DRILL-${randomUUID().slice(0, 8)}`;
      const input = { client: CLIENT, reference, title: `Outage drill ${reference}`, team: TEAM, priority };
      // Repeated with the same Idempotency-Key until it answers (a loaded machine may miss a deadline): one run.
      let runId: string | undefined;
      for (let tries = 0; !runId && tries < 20; tries++) {
        const started = await http.call('POST', '/processes/manual-task/runs', { ...as.sam, 'idempotency-key': reference }, input);
        runId = (started.body as { runId?: string }).runId;
        if (!runId) await sleep(500);
      }
      if (!runId) throw new Error(`could not start a run for ${reference}`);
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(150)) {
        const page = await http.call('GET', `/teams/${TEAM}/tasks?q=${reference}`, as.ana);
        const task = (page.body as { tasks?: Array<{ taskId: string }> }).tasks?.[0];
        if (task) return { runId, taskId: task.taskId };
      }
      throw new Error(`no task of run ${runId} in the inbox after 60 s`);
    };

    const runOutage = async (outage: Outage): Promise<OutageReport> => {
      const decided = await openTask(5);
      // Take-next hands these out: one during the outage (when it can), one after the return.
      await openTask(1);
      await openTask(1);
      // Reassigned while the dependency is away: its task.assigned webhook must still go out, once.
      const moved = await openTask(5);
      const key = `drill-${randomUUID()}`;
      const reassign = () => http.call('POST', `/tasks/${moved.taskId}/reassign`, { ...as.sam, 'idempotency-key': `${key}-reassign` }, { assignee: 'ana.lima' });
      const decision = { action: 'approve', data: { note: `decided across a ${outage} outage` } };
      const calls: Record<CallName, () => Promise<Reply>> = {
        run: () => http.call('GET', `/runs/${decided.runId}`, as.ana),
        decide: () => http.call('POST', `/tasks/${decided.taskId}/complete`, { ...as.ana, 'idempotency-key': key }, decision),
        'take-next': () => http.call('POST', `/teams/${TEAM}/take-next`, as.ben, {}),
        'team-tasks': () => http.call('GET', `/teams/${TEAM}/tasks`, as.ana),
        ready: () => http.call('GET', '/health/ready', {}),
      };
      const away = outage === 'both' ? [temporal, redis] : outage === 'temporal' ? [temporal] : [redis];
      log(`${outage}: killing ${away.map((s) => s.name).join(' and ')} for ${options.outageMs} ms`);
      await Promise.all(away.map((s) => s.kill()));
      const killedAt = Date.now();
      let back = false;
      const answers: Answer[] = [];
      const inFlight: Array<Promise<void>> = [];
      const returned = (async () => {
        await sleep(options.outageMs);
        await Promise.all(away.map((s) => (s === redis ? redis.startEmpty() : s.start())));
        back = true;
        return Date.now();
      })();
      let emittedWhileAway = false;
      inFlight.push(
        (async () => {
          while (!back && !emittedWhileAway) {
            emittedWhileAway = (await reassign()).answer.status === 200 && !back;
            await sleep(250);
          }
        })(),
      );
      // Each kind of call, again and again while the dependency is away (one at a time per kind).
      for (const [name, call] of Object.entries(calls) as Array<[CallName, () => Promise<Reply>]>) {
        inFlight.push(
          (async () => {
            while (!back && Date.now() - killedAt < options.outageMs) {
              const reply = await call();
              answers.push({ call: name, ...reply.answer, answeredAfterReturn: back });
              // An operator who got a task works on it rather than taking more.
              if (name === 'take-next' && (reply.body as { task?: unknown }).task) break;
              await sleep(250);
            }
          })(),
        );
      }
      const backAt = await returned;
      log(`${outage}: back after ${backAt - killedAt} ms`);
      /** Milliseconds from the return until `done`, or undefined after 90 s. */
      const sinceReturn = async (what: string, done: () => Promise<boolean> | boolean): Promise<number | undefined> => {
        for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(100)) {
          if (await done()) return Date.now() - backAt;
        }
        log(`${outage}: no ${what} within 90 s of the return; worker log:\n${worker.log.slice(-3000)}\nnotifier log:\n${notifier.log.slice(-2000)}`);
        return undefined;
      };
      const firstOk = (what: string, call: () => Promise<Reply>, ok: (r: Reply) => boolean) => sinceReturn(`successful ${what}`, async () => ok(await call()));
      const [returnToDecisionMs, returnToTakeNextMs] = await Promise.all([
        firstOk('decision', calls.decide, (r) => r.answer.status === 200),
        firstOk('take-next', calls['take-next'], (r) => r.answer.status === 200 && !!(r.body as { task?: unknown }).task),
      ]);
      await Promise.all(inFlight);
      if (!emittedWhileAway) await firstOk('reassignment', reassign, (r) => r.answer.status === 200);
      const assigned = (e: { type: string; runId: string }) => e.type === 'task.assigned' && e.runId === moved.runId;
      const returnToDeliveryMs = await sinceReturn('task.assigned webhook', () => watch.of(assigned).length > 0);
      await sleep(1_000); // a second delivery of the same event would come within its retry backoff
      const webhook = { emittedWhileAway, returnToDeliveryMs, deliveries: watch.of(assigned).length };
      const returnToRunDoneMs = await firstOk('finished run', calls.run, (r) => (r.body as { status?: string }).status === 'completed');
      const audit = await http.call('GET', `/runs/${decided.runId}/audit`, as.ana);
      const entries = (audit.body as { entries?: Array<{ action: string; outcome: string }> }).entries ?? [];
      const recordedDecisions = entries.filter((e) => e.action === 'complete' && e.outcome === 'done').length;
      return { outage, outageMs: backAt - killedAt, answers, returnToDecisionMs, returnToTakeNextMs, returnToRunDoneMs, recordedDecisions, webhook };
    };

    return { api, temporal, redis, worker, apiProcess, notifier, token, run: runOutage, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface Reply {
  answer: Omit<Answer, 'call' | 'answeredAfterReturn'>;
  body: unknown;
}

class Http {
  constructor(
    private readonly base: string,
    private readonly timeoutMs: number,
  ) {}

  async call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: object): Promise<Reply> {
    const started = performance.now();
    try {
      const res = await fetch(this.base + path, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      const ms = Math.round(performance.now() - started);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON: keep the status
      }
      const marks = Object.fromEntries(['degraded', 'stale', 'source'].filter((k) => k in parsed).map((k) => [k, parsed[k]]));
      return {
        answer: {
          status: res.status,
          ms,
          type: res.headers.get('content-type') ?? undefined,
          ...(typeof parsed.type === 'string' ? { problem: parsed.type } : {}),
          ...(typeof parsed.dependency === 'string' ? { dependency: parsed.dependency, recorded: String(parsed.recorded) } : {}),
          ...(res.headers.get('retry-after') ? { retryAfter: res.headers.get('retry-after')! } : {}),
          ...(Object.keys(marks).length ? { marks } : {}),
        },
        body: parsed,
      };
    } catch {
      return { answer: { status: 'no answer', ms: Math.round(performance.now() - started) }, body: {} };
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One line per call kind: how many answers of each status, and the slowest. */
export function summarise(report: OutageReport): string[] {
  const lines = [`${report.outage} away for ${(report.outageMs / 1000).toFixed(1)} s:`];
  const kinds = [...new Set(report.answers.map((a) => a.call))];
  for (const kind of kinds) {
    const answers = report.answers.filter((a) => a.call === kind);
    const statuses = new Map<string, number>();
    for (const a of answers) statuses.set(String(a.status), (statuses.get(String(a.status)) ?? 0) + 1);
    const slowest = Math.max(...answers.map((a) => a.ms));
    const marks = answers.find((a) => a.marks)?.marks;
    lines.push(`  ${kind.padEnd(10)} ${answers.length} calls, ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')}; slowest ${slowest} ms${marks ? `; marks ${JSON.stringify(marks)}` : ''}`);
  }
  const ms = (v?: number) => (v === undefined ? 'none in 90 s' : `${v} ms`);
  const { webhook } = report;
  lines.push(`  webhook of a task reassigned ${webhook.emittedWhileAway ? 'while away' : 'after the return'}: delivered ${webhook.deliveries}×, the first ${ms(webhook.returnToDeliveryMs)} after the return`);
  lines.push(`  after the return: first decision ${ms(report.returnToDecisionMs)}, first take-next ${ms(report.returnToTakeNextMs)}, run completed ${ms(report.returnToRunDoneMs)}; decisions recorded: ${report.recordedDecisions}`);
  return lines;
}
