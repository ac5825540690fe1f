// Runs Tandem's real worker processes for end-to-end tests, so a test can kill one (SIGKILL, as a
// crash would) and start another.
import { spawn, type ChildProcess } from 'node:child_process';
import { stackEnv } from './temporal';

export type WorkerKind = 'orchestration' | 'bot';
/** A process of the tree: a worker, or the API server (`api/server.ts`, which logs no start line of its own). */
type ProcessKind = WorkerKind | 'api';

export class WorkerProcess {
  private output = '';
  private constructor(
    readonly kind: ProcessKind,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** Starts a worker of this checkout, or of another tree (`cwd`: e.g. a temporary copy). */
  static async start(kind: WorkerKind, env: Record<string, string> = {}, cwd?: string): Promise<WorkerProcess> {
    const worker = WorkerProcess.spawn(kind, `workers/${kind}.ts`, env, cwd);
    await worker.waitFor(/worker started/, 120_000);
    return worker;
  }

  /** Starts a tree's API server; resolves once it listens (Fastify logs the address). */
  static async startApi(env: Record<string, string>, cwd?: string): Promise<WorkerProcess> {
    const api = WorkerProcess.spawn('api', 'api/server.ts', env, cwd);
    await api.waitFor(/Server listening/, 120_000);
    return api;
  }

  private static spawn(kind: ProcessKind, script: string, env: Record<string, string>, cwd?: string): WorkerProcess {
    // `node --import tsx`, not the tsx binary: the tsx CLI runs the script in a child process, so a
    // SIGKILL to it would leave the real worker running.
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd,
      env: { ...process.env, ...stackEnv(), LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(kind, child);
  }

  get log(): string {
    return this.output;
  }

  async waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null) throw new Error(`${this.kind} worker exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${this.kind} worker did not log ${pattern} in ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: the process gets no chance to finish anything, as in a crash. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}
