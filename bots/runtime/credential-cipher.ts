// One credential entry sealed with AES-256-GCM: a fresh 12-byte nonce per entry, and the entry's
// name as additional authenticated data, so an entry copied under another name (or edited) fails
// authentication instead of handing one client's login to another client's bot.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '../../platform/payload-codec';

export const CREDENTIAL_STORE_FORMAT = 'tandem-credentials/v1';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the store file keeps per name: the key id in clear, everything else in `data`. */
export interface SealedEntry {
  keyId: string;
  /** base64(nonce ‖ ciphertext ‖ tag) */
  data: string;
}

/** The store file is unusable. Messages name the file, entry and key id, never a value. */
export class CredentialStoreError extends Error {
  override readonly name = 'CredentialStoreError';
}

const aad = (name: string): Buffer => Buffer.from(`${CREDENTIAL_STORE_FORMAT}\n${name}`, 'utf8');

export function sealEntry(name: string, value: unknown, keyring: Keyring): SealedEntry {
  const { id, key } = keyring.current();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(name));
  const plain = Buffer.from(JSON.stringify(value), 'utf8');
  const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  plain.fill(0);
  return { keyId: id, data: data.toString('base64') };
}

export function openEntry(name: string, sealed: SealedEntry, keyring: Keyring, file: string): unknown {
  const where = `Credential store ${file}: entry "${name}"`;
  const key = keyring.key(sealed.keyId);
  if (!key) throw new CredentialStoreError(`${where} is encrypted with key id "${sealed.keyId}", which is not configured (known: ${keyring.keyIds.join(', ')})`);
  const data = Buffer.from(sealed.data, 'base64');
  if (data.length < IV_BYTES + TAG_BYTES + 1) throw new CredentialStoreError(`${where} (key id "${sealed.keyId}") is too short to be encrypted`);
  const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(name));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new CredentialStoreError(`${where} failed authentication with key id "${sealed.keyId}": it was altered, copied from another name, or that id names a different key`);
  }
  try {
    return JSON.parse(plain.toString('utf8'));
  } finally {
    plain.fill(0);
  }
}
