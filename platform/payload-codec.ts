// Payload encryption for Temporal: every payload leaves a client or worker as `binary/encrypted`
// (AES-256-GCM over the whole serialised Payload, metadata included), with its key id in the
// metadata, so keys rotate without rewriting history: a Keyring encrypts with its current key and
// decrypts with any key it still knows.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ProtoPayload = proto.temporal.api.common.v1.Payload;

/** A bad key configuration. Messages name key ids and where they came from, never key bytes. */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

/** A payload this codec cannot decode; the Temporal call or codec request that carried it fails. */
export class PayloadDecodeError extends Error {
  override readonly name: string = 'PayloadDecodeError';
}

export class UnknownPayloadKeyError extends PayloadDecodeError {
  override readonly name = 'UnknownPayloadKeyError';
  constructor(
    readonly keyId: string,
    knownKeyIds: readonly string[],
  ) {
    super(`Payload was encrypted with key id "${keyId}", which is not configured (known: ${knownKeyIds.join(', ')}); add that key to TANDEM_PAYLOAD_KEYS or TANDEM_PAYLOAD_KEYS_FILE`);
  }
}

/** The current key (encrypts) and every key still needed to read older history (decrypts). */
export class Keyring {
  // A private field: neither JSON.stringify nor util.inspect can reach the key bytes.
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;

  private constructor(keys: Map<string, Buffer>, currentKeyId: string) {
    this.#keys = keys;
    this.currentKeyId = currentKeyId;
  }

  /** Keys in order, the first one current. */
  static of(entries: ReadonlyArray<readonly [string, Uint8Array]>, source = 'the keyring'): Keyring {
    if (entries.length === 0) throw new KeyringError(`${source} names no keys`);
    const keys = new Map<string, Buffer>();
    for (const [id, key] of entries) {
      if (!KEY_ID.test(id)) throw new KeyringError(`${source}: key id "${id}" must be 1-64 letters, digits, . _ or -`);
      if (keys.has(id)) throw new KeyringError(`${source}: key id "${id}" appears twice`);
      if (key.length !== KEY_BYTES) throw new KeyringError(`${source}: key "${id}" is ${key.length} bytes; AES-256 needs ${KEY_BYTES} (openssl rand -base64 32)`);
      keys.set(id, Buffer.from(key));
    }
    return new Keyring(keys, entries[0]![0]);
  }

  /** `id:base64-key` entries separated by commas or new lines; blank lines and `#` comments are skipped. */
  static parse(text: string, source = 'TANDEM_PAYLOAD_KEYS'): Keyring {
    const entries = text
      .split(/[,\n]/)
      .map((entry) => entry.trim())
      .filter((entry) => entry && !entry.startsWith('#'))
      .map((entry, i): [string, Buffer] => {
        const colon = entry.indexOf(':');
        // The entry itself is never echoed: it holds the key.
        if (colon < 1) throw new KeyringError(`${source}: entry ${i + 1} is not "id:base64-key"`);
        const id = entry.slice(0, colon).trim();
        const key = entry.slice(colon + 1).trim();
        if (!BASE64.test(key)) throw new KeyringError(`${source}: key "${id}" is not base64`);
        return [id, Buffer.from(key, 'base64')];
      });
    return Keyring.of(entries, source);
  }

  /** One `id:base64-key` a line, first current; the file must not be readable by group or others. */
  static fromFile(path: string): Keyring {
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new KeyringError(`TANDEM_PAYLOAD_KEYS_FILE ${path}: ${code === 'ENOENT' ? 'no such file (bash scripts/stack.sh start creates one for the local stack)' : code}`);
    }
    if (mode & 0o077) throw new KeyringError(`TANDEM_PAYLOAD_KEYS_FILE ${path} is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
    return Keyring.parse(readFileSync(path, 'utf8'), `TANDEM_PAYLOAD_KEYS_FILE ${path}`);
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  current(): { id: string; key: Buffer } {
    return { id: this.currentKeyId, key: this.#keys.get(this.currentKeyId)! };
  }

  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  toJSON(): { currentKeyId: string; keyIds: string[] } {
    return { currentKeyId: this.currentKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `Keyring { current: ${this.currentKeyId}, keys: [${this.keyIds.join(', ')}] }`;
  }
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** AES-256-GCM, a random 12-byte IV per payload; data = IV ‖ ciphertext ‖ 16-byte tag. Logs nothing. */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  /** Payloads that are not encrypted pass through: history written before encryption stays readable. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.keyring.current();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
    const plain = ProtoPayload.encode(payload).finish();
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) },
      data: Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new PayloadDecodeError(`Encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const key = this.keyring.key(keyId);
    if (!key) throw new UnknownPayloadKeyError(keyId, this.keyring.keyIds);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecodeError(`Encrypted payload (key id "${keyId}") is too short to be one`);
    const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecodeError(`Encrypted payload failed authentication with key id "${keyId}": it was altered, or that id names a different key than the one used`);
    }
    return ProtoPayload.decode(plain);
  }
}
