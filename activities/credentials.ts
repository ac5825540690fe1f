// Credentials are named in workflows (`acme-health/claims-system`) and resolved only here, inside
// bot activities, so their values never enter workflow history. At rest they live in one JSON
// file whose entries are each AES-256-GCM encrypted under a key id (see bots/runtime/credential-*).
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CREDENTIAL_STORE_FORMAT, CredentialStoreError, openEntry, sealEntry, type SealedEntry } from '../bots/runtime/credential-cipher';
import type { CredentialKeys } from '../bots/runtime/credential-keys';

export { CredentialStoreError } from '../bots/runtime/credential-cipher';

export interface Credential {
  username: string;
  password: string;
  /** How many sessions the client application allows this login at once; resolved stores say 1 when unset. */
  maxSessions?: number;
}

export interface CredentialStore {
  resolve(name: string): Promise<Credential>;
}

/** One entry as an operator supplies it (`import`, `set`). */
export const CredentialInput = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  maxSessions: z.number().int().min(1).max(1000).optional(),
});
export type CredentialInput = z.infer<typeof CredentialInput>;

/** What `list` shows: never the password. */
export interface CredentialSummary {
  name: string;
  username: string;
  maxSessions: number;
  keyId: string;
}

export class CredentialNotFound extends Error {
  override readonly name = 'CredentialNotFound';
  constructor(name: string) {
    super(`No credential named ${name} in the credential store`);
  }
}

const StoreFile = z.object({
  format: z.literal(CREDENTIAL_STORE_FORMAT),
  entries: z.record(z.string(), z.object({ keyId: z.string().min(1), data: z.string().min(1) })),
});
type Entries = Record<string, SealedEntry>;

export interface EncryptedCredentialStoreOptions {
  /** The store file (TANDEM_CREDENTIALS_FILE). */
  file: string;
  keys: CredentialKeys;
}

/** Named logins, encrypted at rest; re-read when the file changes, so rotation needs no restart. */
export class EncryptedCredentialStore implements CredentialStore {
  readonly file: string;
  readonly #keys: CredentialKeys;
  #cached: { stamp: string; entries: Entries } | undefined;

  constructor(opts: EncryptedCredentialStoreOptions) {
    this.file = opts.file;
    this.#keys = opts.keys;
  }

  async resolve(name: string): Promise<Credential> {
    const entries = await this.#read({ missingIsEmpty: false });
    const sealed = Object.hasOwn(entries, name) ? entries[name] : undefined;
    if (!sealed) throw new CredentialNotFound(name);
    const { username, password, maxSessions } = this.#open(name, sealed);
    return { username, password, maxSessions: maxSessions ?? 1 };
  }

  async list(): Promise<CredentialSummary[]> {
    const entries = await this.#read({ missingIsEmpty: true });
    return Object.entries(entries).map(([name, sealed]) => {
      const { username, maxSessions } = this.#open(name, sealed);
      return { name, username, maxSessions: maxSessions ?? 1, keyId: sealed.keyId };
    });
  }

  /** Adds or replaces entries; `replace` drops every other entry (and ignores an unreadable file). */
  async put(input: Record<string, CredentialInput>, opts: { replace?: boolean } = {}): Promise<void> {
    const entries = opts.replace ? {} : await this.#read({ missingIsEmpty: true });
    const keyring = this.#keys.keyring();
    for (const [name, value] of Object.entries(input)) entries[name] = sealEntry(name, CredentialInput.parse(value), keyring);
    await this.#write(entries);
  }

  async remove(name: string): Promise<boolean> {
    const entries = await this.#read({ missingIsEmpty: true });
    if (!Object.hasOwn(entries, name)) return false;
    delete entries[name];
    await this.#write(entries);
    return true;
  }

  /** Re-encrypts every entry with the current key; returns how many. */
  async reencrypt(): Promise<number> {
    const entries = await this.#read({ missingIsEmpty: true });
    const keyring = this.#keys.keyring();
    const fresh: Entries = {};
    for (const [name, sealed] of Object.entries(entries)) fresh[name] = sealEntry(name, this.#open(name, sealed), keyring);
    await this.#write(fresh);
    return Object.keys(fresh).length;
  }

  #open(name: string, sealed: SealedEntry): CredentialInput {
    const parsed = CredentialInput.safeParse(openEntry(name, sealed, this.#keys.keyring(), this.file));
    if (!parsed.success) throw new CredentialStoreError(`Credential store ${this.file}: entry "${name}" is not {username, password, maxSessions?}`);
    return parsed.data;
  }

  async #read(opts: { missingIsEmpty: boolean }): Promise<Entries> {
    let stamp: string;
    try {
      const s = await stat(this.file);
      stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (opts.missingIsEmpty) return {};
      throw new CredentialStoreError(`Credential store ${this.file} does not exist (scripts/credentials.ts import creates it)`);
    }
    if (this.#cached?.stamp !== stamp) this.#cached = { stamp, entries: parseStore(await readFile(this.file, 'utf8'), this.file) };
    return { ...this.#cached.entries };
  }

  async #write(entries: Entries): Promise<void> {
    const tmp = `${this.file}.tmp.${process.pid}`;
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(tmp, `${JSON.stringify({ format: CREDENTIAL_STORE_FORMAT, entries }, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
    this.#cached = undefined;
  }
}

// Messages describe the file's shape and never quote it: a malformed store may hold passwords.
function parseStore(text: string, file: string): Entries {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialStoreError(`Credential store ${file} is not JSON`);
  }
  const parsed = StoreFile.safeParse(json);
  if (parsed.success) return parsed.data.entries;
  if (looksPlaintext(json)) {
    throw new CredentialStoreError(`Credential store ${file} holds plaintext credentials; encrypt it with: npx tsx scripts/credentials.ts import --replace < ${file}`);
  }
  throw new CredentialStoreError(`Credential store ${file} is not a ${CREDENTIAL_STORE_FORMAT} store`);
}

function looksPlaintext(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || 'format' in json) return false;
  return Object.values(json).some((v) => typeof v === 'object' && v !== null && 'password' in v);
}
