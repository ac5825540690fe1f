// The credential store's keys: inline (TANDEM_CREDENTIALS_KEY, from a secret manager) or a file of
// `id:base64` lines, mode 600, that scripts/credentials.ts creates on first use for a local stack.
// The file is re-read when it changes, so a rotation (new key first) reaches running bot workers
// without a restart.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Keyring, KeyringError } from '../../platform/payload-codec';

export interface CredentialKeysOptions {
  /** `id:base64-key` entries, comma or newline separated, first current. Wins over `file`. */
  keys?: string;
  /** One `id:base64-key` a line, first current; must not be readable by group or others. */
  file: string;
}

interface CachedRing {
  stamp: string;
  keyring: Keyring;
}

export class CredentialKeys {
  readonly #inline: Keyring | undefined;
  readonly #file: string;
  #cached: CachedRing | undefined;

  constructor(opts: CredentialKeysOptions) {
    this.#inline = opts.keys ? Keyring.parse(opts.keys, 'TANDEM_CREDENTIALS_KEY') : undefined;
    this.#file = opts.file;
  }

  /** Where the keys come from, for messages (never the keys themselves). */
  get source(): string {
    return this.#inline ? 'TANDEM_CREDENTIALS_KEY' : `TANDEM_CREDENTIALS_KEY_FILE ${this.#file}`;
  }

  get inline(): boolean {
    return this.#inline !== undefined;
  }

  keyring(): Keyring {
    if (this.#inline) return this.#inline;
    const stamp = this.#stamp();
    if (this.#cached?.stamp === stamp) return this.#cached.keyring;
    const keyring = Keyring.parse(readFileSync(this.#file, 'utf8'), this.source);
    this.#cached = { stamp, keyring };
    return keyring;
  }

  /** Creates the key file with one fresh key when there are no keys at all; true when it did. */
  ensure(): boolean {
    if (this.#inline || fileExists(this.#file)) return false;
    mkdirSync(dirname(this.#file), { recursive: true });
    try {
      writeFileSync(this.#file, keyLine(), { mode: 0o600, flag: 'wx' });
      return true;
    } catch (err) {
      // Another process created it first: use theirs, or the two would not agree.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  /** Puts a fresh key first in the key file (older keys stay, to read entries not yet re-encrypted). */
  addKey(): string {
    this.#refuseInline('add a key');
    const current = this.keyring();
    const line = keyLine(current.keyIds);
    const rest = readFileSync(this.#file, 'utf8');
    this.#replaceFile(`${line}${rest.endsWith('\n') || rest === '' ? rest : `${rest}\n`}`);
    return line.slice(0, line.indexOf(':'));
  }

  /** Drops every key but the current one from the key file; returns the ids it dropped. */
  retireOldKeys(): string[] {
    this.#refuseInline('retire keys');
    const text = readFileSync(this.#file, 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    const [current, ...old] = lines;
    if (!current) return [];
    this.#replaceFile(`${current.trim()}\n`);
    return old.map((l) => l.slice(0, l.indexOf(':')).trim());
  }

  #refuseInline(what: string): void {
    if (this.#inline) throw new KeyringError(`Cannot ${what}: keys come from TANDEM_CREDENTIALS_KEY; put the new key first there and run rotate-key again`);
  }

  #stamp(): string {
    let stat;
    try {
      stat = statSync(this.#file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new KeyringError(`${this.source}: ${code === 'ENOENT' ? 'no such file (scripts/credentials.ts import creates one)' : code}`);
    }
    if (stat.mode & 0o077) throw new KeyringError(`${this.source} is readable by others (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 it`);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  }

  #replaceFile(text: string): void {
    const tmp = `${this.#file}.tmp.${process.pid}`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.#file);
    this.#cached = undefined;
  }
}

function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `k<yyyymmdd>-<hhmmss>:<base64>`; a suffix keeps two keys made in one second apart. */
function keyLine(taken: string[] = []): string {
  const base = `k${new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}.${n}`;
  return `${id}:${randomBytes(32).toString('base64')}\n`;
}
