// Runs the `tandem` command line as a child process (as a person or a script would), against an
// API listening on a real port, and collects what it printed and its exit code.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  /** Resolves when the command exits. */
  done: Promise<CliResult>;
  /** What it printed so far (for a command that runs until something happens, like `runs watch`). */
  output(): string;
}

/**
 * The CLI with exactly this environment (plus PATH and HOME): nothing of the test process leaks
 * into how it finds the API or the credential.
 */
export function startCli(args: string[], env: Record<string, string> = {}, command: string[] = [process.execPath, 'cli/tandem.js']): CliRun {
  const [file, ...pre] = command;
  const child = spawn(file!, [...pre, ...args], { env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, output: () => stdout };
}

export const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => startCli(args, env).done;

/** A port nothing listens on (taken from the OS, then let go). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
