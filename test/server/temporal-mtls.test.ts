// Temporal mTLS for real: the cluster profile's own Temporal server (scripts/ensure-temporal-server.sh,
// built once a machine) with the shipped deploy/temporal-server.yaml and its TLS on, its persistence
// swapped for in-memory SQLite so that no PostgreSQL is needed, on private ports. The CLI's dev server
// cannot serve TLS, so this is the only way to see the server's side of the handshake. Our client
// (platform/temporal.ts, with the TEMPORAL_TLS_* files) connects and starts a workflow, and so does
// the worker's native connection; without a client certificate, with one from another CA, in plain
// text, or not trusting the server's CA, the connection is refused and says why.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/lib/private-services';
import { loadConfig } from '../../platform/config';
import { connectClient, connectWorker } from '../../platform/temporal';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const NAMESPACE = 'tandem-tls';

let dir: string;
let ours: string;
let stranger: string;
let address: string;
let server: ChildProcess | undefined;
let log: string;

/** The shipped server configuration with in-memory SQLite in place of PostgreSQL; TLS and the rest as shipped. */
function sqliteConfig(): string {
  const shipped = readFileSync(join(root, 'deploy/temporal-server.yaml'), 'utf8');
  const from = shipped.indexOf('\npersistence:\n');
  const to = shipped.indexOf('\nglobal:\n');
  if (from < 0 || to < from) throw new Error('deploy/temporal-server.yaml has no persistence block before global:');
  const store = (name: string) => `    ${name}:
      sql:
        pluginName: sqlite
        databaseName: default
        connectAddr: localhost
        connectProtocol: tcp
        connectAttributes: { mode: memory, cache: private }
        maxConns: 1
        maxIdleConns: 1
        maxConnLifetime: 1h
`;
  const persistence = `
persistence:
  defaultStore: sqlite-default
  visibilityStore: sqlite-visibility
  numHistoryShards: 1
  datastores:
${store('sqlite-default')}${store('sqlite-visibility')}`;
  return shipped.slice(0, from) + persistence + shipped.slice(to);
}

function config(files: { ca?: string; cert?: string; key?: string }) {
  const env: NodeJS.ProcessEnv = { TANDEM_STATE_DIR: dir, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: NAMESPACE, TANDEM_PAYLOAD_KEYS_FILE: '' };
  if (files.ca) env.TEMPORAL_TLS_CA = files.ca;
  if (files.cert) Object.assign(env, { TEMPORAL_TLS_CERT: files.cert, TEMPORAL_TLS_KEY: files.key });
  if (files.ca || files.cert) env.TEMPORAL_TLS_SERVER_NAME = 'localhost';
  return loadConfig(env);
}
const trusted = () => config({ ca: `${ours}/ca.crt`, cert: `${ours}/client.crt`, key: `${ours}/client.key` });

function serverLog(): string {
  try {
    return readFileSync(log, 'utf8').slice(-3000);
  } catch {
    return '(no log)';
  }
}

async function until<T>(what: string, seconds: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (server?.exitCode !== null) throw new Error(`the Temporal server exited (${server?.exitCode}):\n${serverLog()}`);
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}\n${serverLog()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** What connecting with this configuration came to: 'connected', or the error that refused it
 *  (gRPC's wording of a TLS alert varies with the TLS version and timing: what counts is the refusal). */
async function attempt(files: Parameters<typeof config>[0] | 'plain'): Promise<string> {
  try {
    const temporal = files === 'plain'
      ? { close: async () => {}, connection: await Connection.connect({ address, connectTimeout: 5_000 }) }
      : await connectClient(config(files), { connection: { connectTimeout: 5_000 } });
    await temporal.close();
    return 'connected';
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
}

beforeAll(async () => {
  // Built once a machine (7-8 minutes on 2 cores); every later run finds it in ~/.cache/tandem/bin.
  const { stdout } = await run('bash', [join(root, 'scripts/ensure-temporal-server.sh')], { maxBuffer: 1 << 20 });
  const binary = stdout.split('\n')[0]!;
  dir = mkdtempSync(join(tmpdir(), 'tandem-temporal-tls-'));
  ours = join(dir, 'ours');
  stranger = join(dir, 'stranger');
  await run('bash', [join(root, 'scripts/lib/tls-certs.sh'), ours]);
  await run('bash', [join(root, 'scripts/lib/tls-certs.sh'), stranger]);
  const names = ['TEMPORAL_PORT', 'TEMPORAL_HTTP_PORT', 'TEMPORAL_METRICS_PORT', 'TEMPORAL_HISTORY_PORT', 'TEMPORAL_MATCHING_PORT', 'TEMPORAL_WORKER_PORT',
    'TEMPORAL_FRONTEND_MEMBERSHIP_PORT', 'TEMPORAL_HISTORY_MEMBERSHIP_PORT', 'TEMPORAL_MATCHING_MEMBERSHIP_PORT', 'TEMPORAL_WORKER_MEMBERSHIP_PORT'];
  const ports: Record<string, string> = {};
  for (const name of names) ports[name] = String(await freePort());
  address = `127.0.0.1:${ports.TEMPORAL_PORT}`;
  const file = join(dir, 'temporal-server.yaml');
  writeFileSync(file, sqliteConfig());
  log = join(dir, 'temporal.log');
  const out = openSync(log, 'a');
  server = spawn(binary, ['--config-file', file, '--allow-no-auth', 'start'], {
    stdio: ['ignore', out, out],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ports, TEMPORAL_LOG_LEVEL: 'warn',
      TEMPORAL_SERVER_TLS_CERT: `${ours}/server.crt`, TEMPORAL_SERVER_TLS_KEY: `${ours}/server.key`,
      TEMPORAL_SERVER_TLS_CA: `${ours}/ca.crt`, TEMPORAL_SERVER_TLS_NAME: 'localhost' },
  });
  // The server creates no namespace of ours; a new one takes a few seconds to be known everywhere.
  const temporal = await until('the TLS Temporal server did not answer', 180, () => connectClient(trusted(), { connection: { connectTimeout: 3_000 } }));
  try {
    await until('could not register the namespace', 30, () => temporal.client.workflowService.registerNamespace({
      namespace: NAMESPACE, workflowExecutionRetentionPeriod: msToTs('1 day') }).catch((err: Error) => {
      if (!/already exists/i.test(err.message)) throw err;
    }));
  } finally {
    await temporal.close();
  }
}, 30 * 60_000);

afterAll(() => {
  server?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Temporal over mTLS, on the real server with the shipped configuration', () => {
  // A refusal counts only while the server lets the right client in: it is up and serving TLS.
  afterEach(async () => {
    expect(await attempt({ ca: `${ours}/ca.crt`, cert: `${ours}/client.crt`, key: `${ours}/client.key` })).toBe('connected');
  });

  it('a client with our CA and client certificate connects and starts a workflow; a worker connection gets in too', async () => {
    const temporal = await connectClient(trusted());
    try {
      const workflowId = `tls-probe-${Date.now()}`;
      const handle = await until('could not start a workflow', 30, () => temporal.client.workflow.start('tlsProbe', { taskQueue: 'tls-probe', workflowId }));
      const described = await handle.describe();
      expect(described.status.name).toBe('RUNNING');
      expect(described.workflowId).toBe(workflowId);
      // The worker's native connection (its own TLS stack, in Rust) with the same files.
      const worker = await connectWorker(trusted());
      try {
        const seen = await worker.options.connection.workflowService.describeWorkflowExecution({ namespace: NAMESPACE, execution: { workflowId } });
        expect(seen.workflowExecutionInfo?.execution?.workflowId).toBe(workflowId);
      } finally {
        await worker.close();
      }
      await handle.terminate('tls probe done');
    } finally {
      await temporal.close();
    }
  });

  it('a client that trusts our CA but has no client certificate is refused', async () => {
    expect(await attempt({ ca: `${ours}/ca.crt` })).toMatch(/^refused: \S/);
  });

  it('a client whose certificate comes from another CA is refused', async () => {
    expect(await attempt({ ca: `${ours}/ca.crt`, cert: `${stranger}/client.crt`, key: `${stranger}/client.key` })).toMatch(/^refused: \S/);
  });

  it('a client in plain text is refused', async () => {
    expect(await attempt('plain')).toMatch(/^refused: \S/);
  });

  it('a client that does not trust the server\'s CA refuses the server', async () => {
    expect(await attempt({ ca: `${stranger}/ca.crt`, cert: `${ours}/client.crt`, key: `${ours}/client.key` })).toMatch(/^refused: \S/);
  });
});
