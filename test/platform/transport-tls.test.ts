// Transport security for real: a private redis-server that speaks only TLS and wants client
// certificates from our CA. Our client with the configured CA and certificate connects and works;
// a client without a certificate, or with one from another CA, is refused. For Temporal, the
// config → connection-options mapping (the mTLS handshake itself is checked by hand on the cluster
// profile, docs/OPERATIONS.md: the CLI dev server has no TLS).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config';
import { failFastRedis } from '../../platform/dependencies/redis-guard';
import { redisOptions, temporalTls } from '../../platform/tls';
import { freePort } from '../../bench/lib/private-services';

const run = promisify(execFile);
const CERTS = new URL('../../scripts/lib/tls-certs.sh', import.meta.url).pathname;

let dir: string;
let ours: string;
let stranger: string;
let port: number;
let server: ChildProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-tls-'));
  ours = join(dir, 'ours');
  stranger = join(dir, 'stranger');
  await run(CERTS, [ours]);
  await run(CERTS, [stranger]);
  port = await freePort();
  server = spawn('redis-server', ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--tls-cert-file', `${ours}/server.crt`, '--tls-key-file', `${ours}/server.key`, '--tls-ca-cert-file', `${ours}/ca.crt`, '--tls-auth-clients', 'yes'],
  { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = await run('redis-cli', ['--tls', '-p', String(port), '--cacert', `${ours}/ca.crt`, '--cert', `${ours}/client.crt`, '--key', `${ours}/client.key`, 'ping']).catch(() => undefined);
    if (probe?.stdout.trim() === 'PONG') break;
    if (Date.now() > deadline) throw new Error('TLS redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 30_000);

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { TANDEM_STATE_DIR: dir, ...extra };
}

/** The first thing a connection says: 'ready', or the error that refused it. */
async function attempt(client: Redis): Promise<string> {
  // The socket's own error (the TLS alert) says why; the command only sees the connection close.
  let why = '';
  client.on('error', (err: Error) => (why ||= `${(err as { code?: string }).code ?? ''} ${err.message}`));
  try {
    return (await client.ping()) === 'PONG' ? 'ready' : 'odd answer';
  } catch (err) {
    return `refused: ${why || (err as Error).message}`;
  } finally {
    client.disconnect();
  }
}

const once = { lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3_000 } as const;

describe('Redis over TLS with client certificates', () => {
  it('our client with the configured CA and certificate connects, writes and reads', async () => {
    const config = loadConfig(env({ REDIS_URL: `rediss://127.0.0.1:${port}`, REDIS_TLS_CA: `${ours}/ca.crt`, REDIS_TLS_CERT: `${ours}/client.crt`, REDIS_TLS_KEY: `${ours}/client.key` }));
    const redis = failFastRedis(config.redis);
    try {
      await new Promise<void>((resolve, reject) => (redis.once('ready', resolve), redis.once('error', reject)));
      await redis.set('tandem:tls:probe', 'over tls');
      expect(await redis.get('tandem:tls:probe')).toBe('over tls');
    } finally {
      redis.disconnect();
    }
  });

  it('a client that trusts our CA but has no client certificate is refused', async () => {
    const config = loadConfig(env({ REDIS_URL: `rediss://127.0.0.1:${port}`, REDIS_TLS_CA: `${ours}/ca.crt` }));
    expect(await attempt(new Redis(config.redis.url, redisOptions(config.redis, once)))).toMatch(/^refused: .*(certificate required|ECONNRESET)/i);
  });

  it('a client whose certificate comes from another CA is refused', async () => {
    const config = loadConfig(env({ REDIS_URL: `rediss://127.0.0.1:${port}`, REDIS_TLS_CA: `${ours}/ca.crt`, REDIS_TLS_CERT: `${stranger}/client.crt`, REDIS_TLS_KEY: `${stranger}/client.key` }));
    expect(await attempt(new Redis(config.redis.url, redisOptions(config.redis, once)))).toMatch(/^refused/);
  });

  it('a client that does not trust the server\'s CA refuses the server', async () => {
    const config = loadConfig(env({ REDIS_URL: `rediss://127.0.0.1:${port}`, REDIS_TLS_CA: `${stranger}/ca.crt`, REDIS_TLS_CERT: `${ours}/client.crt`, REDIS_TLS_KEY: `${ours}/client.key` }));
    expect(await attempt(new Redis(config.redis.url, redisOptions(config.redis, once)))).toMatch(/^refused: .*(self.signed|unable to verify|certificate)/i);
  });

  it('a plain client is not answered as Redis', async () => {
    expect(await attempt(new Redis(`redis://127.0.0.1:${port}`, once))).toMatch(/^refused/);
  });
});

describe('Temporal TLS options from configuration', () => {
  it('builds the tls block from the files when they are set', () => {
    const config = loadConfig(env({ TEMPORAL_TLS_CA: `${ours}/ca.crt`, TEMPORAL_TLS_CERT: `${ours}/client.crt`, TEMPORAL_TLS_KEY: `${ours}/client.key`, TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend' }));
    const tls = temporalTls(config);
    expect(tls).toEqual({
      serverRootCACertificate: readFileSync(`${ours}/ca.crt`),
      clientCertPair: { crt: readFileSync(`${ours}/client.crt`), key: readFileSync(`${ours}/client.key`) },
      serverNameOverride: 'temporal-frontend',
    });
  });

  it('has no tls block when nothing is configured, and Redis stays plain', () => {
    const config = loadConfig(env({}));
    expect(config.temporal.tls).toBeUndefined();
    expect(temporalTls(config)).toBeUndefined();
    expect(redisOptions(config.redis, { maxRetriesPerRequest: 3 })).toEqual({ maxRetriesPerRequest: 3 });
  });

  it('refuses a certificate without its key, naming both variables', () => {
    expect(() => loadConfig(env({ TEMPORAL_TLS_CERT: `${ours}/client.crt` }))).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/);
  });

  it('names the file it cannot read', () => {
    const config = loadConfig(env({ TEMPORAL_TLS_CA: `${dir}/missing.crt` }));
    expect(() => temporalTls(config)).toThrow(/TEMPORAL_TLS_CA file .*missing\.crt/);
  });
});
