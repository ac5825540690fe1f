// The bots' credential store, by hand or from the stack script. Passwords come in on stdin only
// (never argv, which other users can read in `ps`) and are never printed.
//
//   tsx scripts/credentials.ts import [--replace]   < {"acme-health/claims-system": {"username": …, "password": …, "maxSessions": 1}}
//   tsx scripts/credentials.ts set <name> --username <u> [--max-sessions <n>]   < password
//   tsx scripts/credentials.ts list
//   tsx scripts/credentials.ts remove <name>
//   tsx scripts/credentials.ts rotate-key [--retire-old]
//
// Paths and keys: TANDEM_CREDENTIALS_FILE, TANDEM_CREDENTIALS_KEY or TANDEM_CREDENTIALS_KEY_FILE
// (created with one fresh key, mode 600, by the first command that writes).
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { CredentialInput, EncryptedCredentialStore } from '../activities/credentials';
import { CredentialKeys } from '../bots/runtime/credential-keys';
import { loadConfig } from '../platform/config';
import { withLocalStack } from '../platform/local-stack';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdin: () => Promise<string>;
  out: (line: string) => void;
}

const USAGE = 'usage: credentials.ts import [--replace] | set <name> --username <u> [--max-sessions <n>] | list | remove <name> | rotate-key [--retire-old]';
const ImportFile = z.record(z.string().min(1), CredentialInput);

/** A refused command: its message goes to stderr as is (it never holds a secret). */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export async function runCredentialsCli(argv: string[], io: CliIo): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      replace: { type: 'boolean', default: false },
      username: { type: 'string' },
      'max-sessions': { type: 'string' },
      'retire-old': { type: 'boolean', default: false },
    },
  });
  const [command, name, ...extra] = positionals;
  if (extra.length > 0) throw new CliError(USAGE);
  const config = loadConfig(io.env);
  const keys = new CredentialKeys(config.credentialsKey);
  const store = new EncryptedCredentialStore({ file: config.credentialsFile, keys });
  const ensureKeys = (): void => {
    if (keys.ensure()) io.out(`created the credential key file ${config.credentialsKey.file} (mode 600); keep it as long as the store it encrypts`);
  };
  switch (command) {
    case 'import': {
      const parsed = ImportFile.safeParse(parseJson(await io.stdin()));
      // Only the names and fields at fault are reported, never the values.
      if (!parsed.success) throw new CliError(`import: stdin must be {name: {username, password, maxSessions?}}; wrong: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
      ensureKeys();
      await store.put(parsed.data, { replace: values.replace });
      io.out(`${values.replace ? 'wrote' : 'merged'} ${Object.keys(parsed.data).length} credential(s) into ${store.file} (key id ${keys.keyring().currentKeyId})`);
      return;
    }
    case 'set': {
      if (!name || !values.username) throw new CliError(USAGE);
      const password = (await io.stdin()).replace(/\r?\n$/, '');
      const maxSessions = values['max-sessions'] === undefined ? undefined : Number(values['max-sessions']);
      const entry = CredentialInput.safeParse({ username: values.username, password, maxSessions });
      if (!entry.success) throw new CliError(`set: ${entry.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
      ensureKeys();
      await store.put({ [name]: entry.data });
      io.out(`stored ${name} (user ${entry.data.username}, at most ${entry.data.maxSessions ?? 1} session(s))`);
      return;
    }
    case 'list': {
      for (const c of await store.list()) io.out(`${c.name}\t${c.username}\tmaxSessions=${c.maxSessions}\tkey=${c.keyId}`);
      return;
    }
    case 'remove': {
      if (!name) throw new CliError(USAGE);
      if (!(await store.remove(name))) throw new CliError(`remove: no credential named ${name}`);
      io.out(`removed ${name}`);
      return;
    }
    case 'rotate-key': {
      ensureKeys();
      // With inline keys the operator has already put the new key first; we only re-encrypt.
      if (!keys.inline) io.out(`added key ${keys.addKey()} to ${config.credentialsKey.file}`);
      const count = await store.reencrypt();
      io.out(`re-encrypted ${count} credential(s) with key ${keys.keyring().currentKeyId}`);
      if (values['retire-old'] && !keys.inline) io.out(`retired keys: ${keys.retireOldKeys().join(', ') || 'none'}`);
      return;
    }
    default:
      throw new CliError(USAGE);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError('import: stdin is not JSON');
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return readHiddenLine();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A password typed at a terminal: echo off while it is typed. */
async function readHiddenLine(): Promise<string> {
  process.stderr.write('password: ');
  spawnSync('stty', ['-echo'], { stdio: 'inherit' });
  const lines = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of lines) return line;
    return '';
  } finally {
    lines.close();
    spawnSync('stty', ['echo'], { stdio: 'inherit' });
    process.stderr.write('\n');
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    await runCredentialsCli(process.argv.slice(2), { env: withLocalStack(process.env), stdin: readStdin, out: (line) => process.stdout.write(`${line}\n`) });
  } catch (err) {
    // Store and key errors name files and key ids only; anything else is reported by its name.
    const known = err instanceof CliError || (err instanceof Error && /^(CredentialStoreError|KeyringError|CredentialNotFound)$/.test(err.name));
    process.stderr.write(`credentials: ${known ? (err as Error).message : `failed (${(err as Error).name ?? 'error'})`}\n`);
    process.exitCode = 1;
  }
}
