// The encrypted credential store and its CLI: entries are AES-256-GCM sealed under the entry's
// name, keys rotate, and every refusal names the file and key id but never a value.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CredentialNotFound, CredentialStoreError, EncryptedCredentialStore } from '../../activities/credentials';
import { CredentialKeys } from '../../bots/runtime/credential-keys';
import { KeyringError } from '../../platform/payload-codec';
import { runCredentialsCli } from '../../scripts/credentials';
import { tempDir } from './sandbox-harness';

const dir = tempDir('credential-store');
afterAll(() => dir.remove());

const ACME = { username: 'bot.acme', password: `pw-${randomBytes(12).toString('hex')}` };
const GLOBEX = { username: 'bot.globex', password: `pw-${randomBytes(12).toString('hex')}`, maxSessions: 3 };
let n = 0;

/** A fresh store folder: the store file and its key file, as the CLI and the worker see them. */
function fixture(extraEnv: Record<string, string> = {}) {
  const folder = join(dir.path, `s${++n}`);
  const env = { TANDEM_STATE_DIR: folder, TANDEM_CREDENTIALS_FILE: join(folder, 'credentials.json'), ...extraEnv };
  const out: string[] = [];
  const cli = (args: string[], stdin = '') => runCredentialsCli(args, { env, stdin: async () => stdin, out: (l) => out.push(l) });
  const keysConfig = { keys: extraEnv.TANDEM_CREDENTIALS_KEY, file: join(folder, 'credentials-key') };
  const store = () => new EncryptedCredentialStore({ file: env.TANDEM_CREDENTIALS_FILE, keys: new CredentialKeys(keysConfig) });
  return { folder, env, out, cli, store, file: env.TANDEM_CREDENTIALS_FILE, keyFile: keysConfig.file };
}

const importJson = JSON.stringify({ 'acme-health/claims-system': ACME, 'globex-insurance/claims-system': GLOBEX });
const b64Forms = (s: string) => [Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), Buffer.from(s).toString('hex')];
const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

describe('EncryptedCredentialStore', () => {
  it('round-trips what import wrote, creating the key file (mode 600) on first use', async () => {
    const f = fixture();
    await f.cli(['import'], importJson);
    expect(statSync(f.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(f.file).mode & 0o777).toBe(0o600);
    const store = f.store();
    expect(await store.resolve('acme-health/claims-system')).toEqual({ ...ACME, maxSessions: 1 });
    expect(await store.resolve('globex-insurance/claims-system')).toEqual(GLOBEX);
    await expect(store.resolve('nobody/claims-system')).rejects.toBeInstanceOf(CredentialNotFound);
    // Prototype keys are not entries.
    await expect(store.resolve('__proto__')).rejects.toBeInstanceOf(CredentialNotFound);
    expect(f.out.join('\n')).not.toContain(ACME.password);
  });

  it('keeps neither passwords nor usernames on disk, in clear or base64 or hex', async () => {
    const f = fixture();
    await f.cli(['import'], importJson);
    const onDisk = readFileSync(f.file, 'utf8');
    for (const secret of [ACME.password, GLOBEX.password, ACME.username]) {
      expect(onDisk).not.toContain(secret);
      for (const form of b64Forms(secret)) expect(onDisk).not.toContain(form);
    }
    // A fresh nonce per entry: the same credential never encrypts the same way twice.
    await f.cli(['import'], JSON.stringify({ 'copy/claims-system': ACME }));
    const { entries } = JSON.parse(readFileSync(f.file, 'utf8')) as { entries: Record<string, { data: string }> };
    expect(entries['copy/claims-system']!.data).not.toBe(entries['acme-health/claims-system']!.data);
  });

  it('refuses the store under a different key, naming the file and key id but no value', async () => {
    const f = fixture();
    await f.cli(['import'], importJson);
    const keyId = readFileSync(f.keyFile, 'utf8').split(':')[0]!;
    writeFileSync(f.keyFile, `${keyId}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const err = await errorOf(f.store().resolve('acme-health/claims-system'));
    expect(err).toBeInstanceOf(CredentialStoreError);
    expect(err!.message).toContain(f.file);
    expect(err!.message).toContain(`key id "${keyId}"`);
    expect(err!.message).not.toContain(ACME.password);

    writeFileSync(f.keyFile, `other:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const unknown = await errorOf(f.store().resolve('acme-health/claims-system'));
    expect(unknown!.message).toMatch(new RegExp(`key id "${keyId}", which is not configured \\(known: other\\)`));
  });

  it('refuses a tampered entry and an entry moved under another name', async () => {
    const f = fixture();
    await f.cli(['import'], importJson);
    const original = readFileSync(f.file, 'utf8');
    const doc = JSON.parse(original) as { entries: Record<string, { keyId: string; data: string }> };

    const tampered = structuredClone(doc);
    const bytes = Buffer.from(tampered.entries['acme-health/claims-system']!.data, 'base64');
    bytes[20]! ^= 0x01;
    tampered.entries['acme-health/claims-system']!.data = bytes.toString('base64');
    writeFileSync(f.file, JSON.stringify(tampered));
    await expect(f.store().resolve('acme-health/claims-system')).rejects.toThrow(/entry "acme-health\/claims-system" failed authentication/);

    // Globex's bot must not get Acme's login by someone copying the entry across.
    const swapped = structuredClone(doc);
    swapped.entries['globex-insurance/claims-system'] = doc.entries['acme-health/claims-system']!;
    writeFileSync(f.file, JSON.stringify(swapped));
    await expect(f.store().resolve('globex-insurance/claims-system')).rejects.toThrow(/failed authentication/);
  });

  it('refuses a plaintext store and tells how to encrypt it, without quoting it', async () => {
    const f = fixture();
    await f.cli(['import'], importJson); // creates the key
    writeFileSync(f.file, JSON.stringify({ 'acme-health/claims-system': ACME }), { mode: 0o600 });
    const err = await errorOf(f.store().resolve('acme-health/claims-system'));
    expect(err).toBeInstanceOf(CredentialStoreError);
    expect(err!.message).toContain(`${f.file} holds plaintext credentials`);
    expect(err!.message).toContain('import --replace');
    expect(err!.message).not.toContain(ACME.password);
    writeFileSync(f.file, `{"acme": {"password": "${ACME.password}"`);
    const notJson = await errorOf(f.store().resolve('acme'));
    expect(notJson!.message).toBe(`Credential store ${f.file} is not JSON`);
    // import --replace turns the plaintext file into an encrypted one.
    await f.cli(['import', '--replace'], JSON.stringify({ 'acme-health/claims-system': ACME }));
    expect(await f.store().resolve('acme-health/claims-system')).toMatchObject(ACME);
  });

  it('rotates: a new current key, entries re-encrypted, running stores keep resolving', async () => {
    const f = fixture();
    await f.cli(['import'], importJson);
    const store = f.store();
    await store.resolve('acme-health/claims-system');
    const oldId = readFileSync(f.keyFile, 'utf8').split(':')[0]!;
    const before = readFileSync(f.file, 'utf8');
    await f.cli(['rotate-key']);
    const ids = readFileSync(f.keyFile, 'utf8').trim().split('\n').map((l) => l.split(':')[0]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(oldId);
    expect((await store.list()).map((c) => c.keyId)).toEqual([ids[0], ids[0]]);
    expect(await store.resolve('globex-insurance/claims-system')).toEqual(GLOBEX);
    // Retiring the old key: the store still reads; an old copy encrypted with it no longer does.
    await f.cli(['rotate-key', '--retire-old']);
    expect(f.out.at(-1)).toMatch(/^retired keys: /);
    expect(readFileSync(f.keyFile, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(await store.resolve('acme-health/claims-system')).toMatchObject(ACME);
    writeFileSync(f.file, before, { mode: 0o600 });
    await expect(store.resolve('acme-health/claims-system')).rejects.toThrow(`key id "${oldId}", which is not configured`);
  });

  it('takes inline keys (TANDEM_CREDENTIALS_KEY), first current, older ones still read', async () => {
    const k1 = `k1:${randomBytes(32).toString('base64')}`;
    const k2 = `k2:${randomBytes(32).toString('base64')}`;
    const f = fixture({ TANDEM_CREDENTIALS_KEY: k1 });
    await f.cli(['import'], importJson);
    expect(() => statSync(f.keyFile)).toThrow(); // no key file when the keys are inline
    const rotated = new EncryptedCredentialStore({ file: f.file, keys: new CredentialKeys({ keys: `${k2},${k1}`, file: f.keyFile }) });
    expect(await rotated.resolve('acme-health/claims-system')).toMatchObject(ACME);
    await rotated.reencrypt();
    expect((await rotated.list()).every((c) => c.keyId === 'k2')).toBe(true);
  });

  it('refuses a key file others can read', async () => {
    const f = fixture();
    await f.cli(['import'], importJson);
    chmodSync(f.keyFile, 0o644);
    const err = await errorOf(f.store().resolve('acme-health/claims-system'));
    expect(err).toBeInstanceOf(KeyringError);
    expect(err!.message).toContain('readable by others (mode 644)');
  });
});

describe('scripts/credentials.ts', () => {
  it('sets a login with the password from stdin, lists without passwords, removes', async () => {
    const f = fixture();
    await f.cli(['set', 'acme-health/payroll', '--username', 'payroll.bot', '--max-sessions', '2'], `${ACME.password}\n`);
    expect(await f.store().resolve('acme-health/payroll')).toEqual({ username: 'payroll.bot', password: ACME.password, maxSessions: 2 });
    f.out.length = 0;
    await f.cli(['list']);
    expect(f.out).toHaveLength(1);
    expect(f.out[0]).toMatch(/^acme-health\/payroll\tpayroll\.bot\tmaxSessions=2\tkey=k/);
    expect(f.out.join('\n')).not.toContain(ACME.password);
    await f.cli(['remove', 'acme-health/payroll']);
    await expect(f.store().resolve('acme-health/payroll')).rejects.toBeInstanceOf(CredentialNotFound);
    await expect(f.cli(['remove', 'acme-health/payroll'])).rejects.toThrow('no credential named acme-health/payroll');
    await expect(f.cli(['set', 'x', '--username', 'u'], '')).rejects.toThrow(/password/);
    await expect(f.cli(['import'], `{"a": {"username": "u", "password": "${ACME.password}", "maxSessions": 0}}`)).rejects.toThrow(/^import: .*wrong: a\.maxSessions$/);
  });

  it('imports from stdin as the stack script runs it, printing no secret', async () => {
    const f = fixture();
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const child = promisify(execFile)(tsx, ['scripts/credentials.ts', 'import', '--replace'], { env: { ...process.env, ...f.env } });
    child.child.stdin!.end(importJson);
    const { stdout, stderr } = await child;
    expect(stdout).toMatch(/wrote 2 credential\(s\) into .*credentials\.json \(key id k/);
    expect(stdout + stderr).not.toContain(ACME.password);
    expect(await f.store().resolve('globex-insurance/claims-system')).toEqual(GLOBEX);
    await expect(f.cli(['resolve'])).rejects.toThrow(/^usage: credentials\.ts import/);
  });
});
