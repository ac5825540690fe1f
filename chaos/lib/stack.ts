// The chaos suite's stack: a profile of scripts/stack.sh of its own (so a user's dev or cluster
// stack is never touched), reset at the start, with the app started by the script as separate
// processes (TANDEM_STACK_APP=1). Faults go to those processes by their pid files, as an operator's
// `kill -9` would; recovery is the script's own `start`, which starts only what is not running.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** `cluster`: the Temporal server on PostgreSQL (the production shape); `dev`: the CLI's dev server on SQLite. */
export type TemporalKind = 'cluster' | 'dev';

/** Variables scripts/lib/env.sh derives: inherited values would point the suite at another stack. */
const DERIVED = /^(TANDEM_(STATE_DIR|PORT_BASE|.*_PORT|API_URL|CREDENTIALS_FILE|PAYLOAD_KEYS_FILE|REDIS_EXTERNAL|TEMPORAL_EXTERNAL|REDIS_PREFIX|WORKFLOW_BUNDLE|TEMPORAL_SERVER|STACK_APP)|TEMPORAL_.*|REDIS_.*|SANDBOX_.*)$/;
/** Where the user keeps Temporal binaries: kept. */
const KEPT = new Set(['TEMPORAL_BIN', 'TEMPORAL_SERVER_BIN', 'TEMPORAL_SQL_TOOL_BIN', 'TEMPORAL_SERVER_VERSION', 'TEMPORAL_CLI_VERSION']);

export interface ChaosStackOptions {
  kind: TemporalKind;
  /** How long a killed bot worker's hold on a client login lasts (TANDEM_LOGIN_LEASE_MS). */
  loginLeaseMs: number;
  /** The stack.sh profile (own ports and state); default `chaos-<kind>`. */
  profile?: string;
  log: (line: string) => void;
}

export class ChaosStack {
  readonly env: NodeJS.ProcessEnv;
  /** What `stack.sh env` printed: ports, URLs, paths. */
  settings: Record<string, string> = {};

  constructor(readonly options: ChaosStackOptions) {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) if (KEPT.has(name) || !DERIVED.test(name)) env[name] = value;
    this.env = {
      ...env,
      TANDEM_PROFILE: options.profile ?? `chaos-${options.kind}`,
      TANDEM_TEMPORAL_SERVER: options.kind === 'cluster' ? 'postgres' : 'dev',
      TANDEM_STACK_APP: '1',
      TANDEM_LOGIN_LEASE_MS: String(options.loginLeaseMs),
    };
  }

  get kind(): TemporalKind {
    return this.options.kind;
  }

  private async script(command: string): Promise<string> {
    const { stdout } = await run('bash', ['scripts/stack.sh', command], { cwd: ROOT, env: this.env, maxBuffer: 10 * 1024 * 1024 });
    return stdout;
  }

  /** Deletes the profile's state (histories, databases, ledgers), then starts it all; returns the seconds it took. */
  async startFresh(): Promise<number> {
    this.options.log(`resetting and starting the ${this.env.TANDEM_PROFILE} stack (scripts/stack.sh reset && start)`);
    await this.script('reset');
    const seconds = await this.start();
    for (const line of (await this.script('env')).split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) this.settings[line.slice(0, at)] = line.slice(at + 1);
    }
    return seconds;
  }

  /** `stack.sh start`: starts what is not running and waits until it answers; returns the seconds it took. */
  async start(): Promise<number> {
    const started = performance.now();
    await this.script('start');
    return (performance.now() - started) / 1000;
  }

  async stop(): Promise<void> {
    await this.script('stop').catch((err: Error) => this.options.log(`stack.sh stop failed: ${err.message}`));
  }

  /** The processes of the app by pid-file name (bot-worker-1, orchestration-worker-2, ...). */
  processes(prefix: string): string[] {
    return readdirSync(`${this.settings.TANDEM_STATE_DIR}/run`)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.pid'))
      .map((f) => f.slice(0, -4))
      .sort();
  }

  /** SIGKILL to the process, its process group and every descendant (Chromium has a group of its own). */
  kill9(name: string): number {
    const [pid] = readFileSync(`${this.settings.TANDEM_STATE_DIR}/run/${name}.pid`, 'utf8').trim().split(/\s+/).map(Number);
    if (!pid) throw new Error(`no pid in the pid file of ${name}`);
    const victims = [pid, ...descendants(pid)];
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // not a group leader any more: the pids below still go
    }
    for (const victim of victims) {
      try {
        process.kill(victim, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return victims.length;
  }

  /** Deletes what a stopped component kept under the state dir (e.g. `redis`: its append-only file), so it starts empty. */
  wipe(dir: 'redis'): void {
    const path = `${this.settings.TANDEM_STATE_DIR}/${dir}`;
    for (const entry of readdirSync(path)) rmSync(`${path}/${entry}`, { recursive: true, force: true });
  }

  /** Resident memory of the named process and its descendants (tsx runs node as a child), in MB; 0 when gone. */
  rssMb(name: string): number {
    try {
      const [pid] = readFileSync(`${this.settings.TANDEM_STATE_DIR}/run/${name}.pid`, 'utf8').trim().split(/\s+/).map(Number);
      let kb = 0;
      for (const p of [pid!, ...descendants(pid!)]) {
        const line = readFileSync(`/proc/${p}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
        kb += Number(line?.split(/\s+/)[1] ?? 0);
      }
      return kb / 1024;
    } catch {
      return 0;
    }
  }

  /** Whether the named process of the stack is alive. */
  alive(name: string): boolean {
    try {
      const [pid] = readFileSync(`${this.settings.TANDEM_STATE_DIR}/run/${name}.pid`, 'utf8').trim().split(/\s+/).map(Number);
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[0];
      return state !== undefined && state !== 'Z';
    } catch {
      return false;
    }
  }
}

/** Every live descendant of `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
