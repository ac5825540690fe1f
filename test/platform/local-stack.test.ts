// A script started by hand finds the local stack by itself: the stack script writes what it decided
// to <state dir>/stack.env, and the configuration reads it beneath the environment. Checked on a
// file of our own (profiles, precedence, no file), on the test stack's real file, and by running
// `npm run inbox:rebuild`'s script from elsewhere with none of the stack's variables set.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config';
import { CHECKOUT_DIR, parseEnvFile, stackEnvFile, withLocalStack } from '../../platform/local-stack';
import { stackEnv } from '../support/temporal';

const run = promisify(execFile);
let checkout: string;

beforeAll(async () => {
  checkout = await mkdtemp(join(tmpdir(), 'tandem-local-stack-'));
  for (const [profile, base] of [['dev', 21000], ['demo-2', 22000]] as const) {
    await mkdir(join(checkout, '.state', profile), { recursive: true });
    const lines = [
      `TANDEM_STATE_DIR=${join(checkout, '.state', profile)}`,
      `TEMPORAL_ADDRESS=127.0.0.1:${base}`,
      `REDIS_URL=redis://127.0.0.1:${base + 10}`,
      `TANDEM_API_PORT=${base + 30}`,
      `SANDBOX_PAYROLL_URL=http://127.0.0.1:${base + 21}`,
      `TANDEM_PAYLOAD_KEYS_FILE=${join(checkout, '.state', profile, 'payload-keys')}`,
    ];
    await writeFile(join(checkout, '.state', profile, 'stack.env'), `${lines.join('\n')}\n`);
  }
});
afterAll(async () => {
  if (checkout) await rm(checkout, { recursive: true, force: true });
});

/** The environment this test process runs in, without any variable the stack script decides. */
function bareEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(TANDEM_|TEMPORAL_|REDIS_|SANDBOX_)/.test(key)));
}

describe('the local stack, found by itself', () => {
  it('reads the dev stack’s ports and paths with no variable set', () => {
    const config = loadConfig(withLocalStack({}, checkout));
    expect(config.temporal.address).toBe('127.0.0.1:21000');
    expect(config.redis.url).toBe('redis://127.0.0.1:21010');
    expect(config.api.port).toBe(21030);
    expect(config.apps['payroll-portal']).toBe('http://127.0.0.1:21021');
    // Paths are the stack's own, wherever the command runs: the JWT secret `npm run tokens` signs with, the payload keys.
    expect(config.stateDir).toBe(join(checkout, '.state', 'dev'));
    expect(config.auth.secretFile).toBe(join(checkout, '.state', 'dev', 'jwt-secret'));
    expect(config.payloadKeys.file).toBe(join(checkout, '.state', 'dev', 'payload-keys'));
  });

  it('follows the profile, or the state dir, as the stack script does; what the environment sets wins', () => {
    expect(loadConfig(withLocalStack({ TANDEM_PROFILE: 'demo-2' }, checkout)).temporal.address).toBe('127.0.0.1:22000');
    expect(loadConfig(withLocalStack({ TANDEM_STATE_DIR: join(checkout, '.state', 'demo-2') }, checkout)).redis.url).toBe('redis://127.0.0.1:22010');
    const mixed = loadConfig(withLocalStack({ TEMPORAL_ADDRESS: 'temporal.internal:7233' }, checkout));
    expect(mixed.temporal.address).toBe('temporal.internal:7233');
    expect(mixed.redis.url).toBe('redis://127.0.0.1:21010');
    // No stack started for that profile: the built-in defaults, as before.
    expect(loadConfig(withLocalStack({ TANDEM_PROFILE: 'never-started' }, checkout)).temporal.address).toBe('127.0.0.1:7233');
    expect(parseEnvFile('# note\nA=1\n\nB=x=y\n=skip\n')).toEqual({ A: '1', B: 'x=y' });
  });

  it('finds the test stack from the file its start wrote', () => {
    expect(stackEnvFile({ TANDEM_PROFILE: 'test' })).toBe(join(stackEnv().TANDEM_STATE_DIR!, 'stack.env'));
    const config = loadConfig(withLocalStack({ TANDEM_PROFILE: 'test' }));
    expect(config.temporal.address).toBe(stackEnv().TEMPORAL_ADDRESS);
    expect(config.redis.url).toBe(stackEnv().REDIS_URL);
    expect(config.apps['claims-system']).toBe(stackEnv().SANDBOX_CLAIMS_URL);
  });

  it('`npm run inbox:rebuild` connects to the stack from another folder with none of its variables exported', async () => {
    const script = join(CHECKOUT_DIR, 'scripts', 'rebuild-inbox.ts');
    // The rebuild reads every open run the earlier test files left in the shared stack: its time grows
    // with the suite, so the bound is generous; the claim is that it finds the stack at all.
    const { stdout } = await run(join(CHECKOUT_DIR, 'node_modules', '.bin', 'tsx'), [script], { cwd: tmpdir(), env: { ...bareEnv(), TANDEM_PROFILE: 'test' }, timeout: 170_000 });
    expect(stdout).toMatch(/^inbox index rebuilt: \d+ tasks from \d+ runs in \d+ ms$/m);
  }, 180_000);
});
