// A Temporal dev server and a Redis of their own, on free ports and in a folder of their own, that
// an outage drill may kill (SIGKILL, as a crash would) and start again with the same state, or
// Redis empty. Nothing else uses them, so the shared test stack never notices a drill.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { promisify } from 'node:util';
import { searchAttributeCliFlags } from '../../workflows/engine/search-attributes';

const run = promisify(execFile);
export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** A port nobody listens on right now (the kernel's pick); kept for restarts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not up after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One child process we can kill and start again with the same command line. */
abstract class KillableService {
  protected child?: ChildProcess;
  private output = '';

  protected abstract command(): [string, string[]];
  protected abstract ready(): Promise<boolean>;
  abstract readonly name: string;

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts it and resolves once it answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    const [bin, args] = this.command();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-8_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await until(this.name, async () => {
      if (child.exitCode !== null) throw new Error(`${this.name} exited (${child.exitCode}): ${this.output}`);
      return this.ready();
    }, timeoutMs);
  }

  /** SIGKILL, and waits until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
}

export class PrivateTemporal extends KillableService {
  readonly name = 'temporal (private)';
  private constructor(
    private readonly cli: string,
    private readonly dir: string,
    readonly port: number,
    private readonly httpPort: number,
    private readonly metricsPort: number,
  ) {
    super();
  }

  static async create(dir: string): Promise<PrivateTemporal> {
    const { stdout } = await run('bash', [`${ROOT}/scripts/ensure-temporal.sh`]);
    await mkdir(dir, { recursive: true });
    return new PrivateTemporal(stdout.trim(), dir, await freePort(), await freePort(), await freePort());
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  protected command(): [string, string[]] {
    const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(this.port), '--http-port', String(this.httpPort),
      '--metrics-port', String(this.metricsPort), '--db-filename', `${this.dir}/temporal.db`, '--log-level', 'error'];
    for (const flag of searchAttributeCliFlags()) args.push('--search-attribute', flag);
    return [this.cli, args];
  }

  protected async ready(): Promise<boolean> {
    if (!(await answers(this.port))) return false;
    await run(this.cli, ['operator', 'namespace', 'describe', '-n', 'default', '--address', this.address, '--command-timeout', '3s']);
    return true;
  }
}

export class PrivateRedis extends KillableService {
  readonly name = 'redis (private)';
  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    super();
  }

  static async create(dir: string): Promise<PrivateRedis> {
    await mkdir(dir, { recursive: true });
    return new PrivateRedis(dir, await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it again with nothing in it. */
  async startEmpty(): Promise<void> {
    await rm(`${this.dir}/appendonlydir`, { recursive: true, force: true });
    await this.start();
  }

  protected command(): [string, string[]] {
    return ['redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always',
      '--save', '', '--maxmemory-policy', 'noeviction', '--daemonize', 'no']];
  }

  protected async ready(): Promise<boolean> {
    const { stdout } = await run('redis-cli', ['-p', String(this.port), 'ping']);
    return stdout.trim() === 'PONG';
  }
}
