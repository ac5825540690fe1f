// The payload codec on its own: AES-256-GCM round trips, tampering is caught, keys rotate, and a
// bad key configuration fails with a message that names ids, never key bytes.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, Keyring, KeyringError, PayloadDecodeError, UnknownPayloadKeyError } from '../../platform/payload-codec';
import { loadKeyring } from '../../platform/temporal';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const toPayloads = (...values: unknown[]): Payload[] => values.map((v) => defaultPayloadConverter.toPayload(v));
const fromPayloads = (payloads: Payload[]) => payloads.map((p) => defaultPayloadConverter.fromPayload(p));

describe('AesGcmPayloadCodec', () => {
  const codec = new AesGcmPayloadCodec(Keyring.parse(`k1:${k1}`));

  it('encrypts every payload, metadata and all, and decodes it back', async () => {
    const values = [{ claimRef: 'CLM-1002', memberName: 'Jo Doe' }, 'a string', 42, null, new Uint8Array([1, 2, 3])];
    const encoded = await codec.encode(toPayloads(...values));
    for (const payload of encoded) {
      expect(Object.keys(payload.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
      expect(text(payload.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
      expect(text(payload.metadata![KEY_ID_METADATA])).toBe('k1');
      expect(text(payload.data)).not.toContain('json/plain');
    }
    expect(text(encoded[0]!.data)).not.toContain('Jo Doe');
    expect(fromPayloads(await codec.decode(encoded))).toEqual(values);
  });

  it('uses a fresh IV for each payload: the same value never encrypts the same way twice', async () => {
    const [a, b] = await codec.encode(toPayloads('same', 'same'));
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads that were never encrypted through unchanged', async () => {
    const plain = toPayloads({ written: 'before encryption was on' });
    expect(await codec.decode(plain)).toEqual(plain);
  });

  it('refuses a payload whose ciphertext, IV or tag was altered', async () => {
    const [encrypted] = await codec.encode(toPayloads({ amountCents: 245_000 }));
    for (const at of [0, 20, encrypted!.data!.length - 1]) {
      const data = Buffer.from(encrypted!.data!);
      data[at]! ^= 0x01;
      await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(PayloadDecodeError);
    }
    await expect(codec.decode([{ ...encrypted!, data: encrypted!.data!.subarray(0, 10) }])).rejects.toThrow(/too short/);
  });

  it('encrypts new payloads with the current key after a rotation and still decodes the old ones', async () => {
    const before = await codec.encode(toPayloads('written with k1'));
    const rotated = new AesGcmPayloadCodec(Keyring.parse(`k2:${k2},k1:${k1}`));
    const after = await rotated.encode(toPayloads('written with k2'));
    expect(text(after[0]!.metadata![KEY_ID_METADATA])).toBe('k2');
    expect(fromPayloads(await rotated.decode([...before, ...after]))).toEqual(['written with k1', 'written with k2']);
    // The old keyring cannot read what the new key wrote, and says which key it lacks.
    const err = await codec.decode(after).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownPayloadKeyError);
    expect((err as UnknownPayloadKeyError).keyId).toBe('k2');
    expect((err as Error).message).toMatch(/key id "k2".*known: k1/);
    expect((err as Error).message).not.toContain(k1);
  });

  it('refuses an encrypted payload without a key id', async () => {
    const [encrypted] = await codec.encode(toPayloads('x'));
    const metadata = Object.fromEntries(Object.entries(encrypted!.metadata!).filter(([k]) => k !== KEY_ID_METADATA));
    await expect(codec.decode([{ ...encrypted!, metadata }])).rejects.toThrow(/no encryption-key-id/);
  });
});

describe('Keyring', () => {
  it('reads id:base64 entries separated by commas or lines, the first one current', () => {
    const keyring = Keyring.parse(`# rotated 2026-11-01\n k2:${k2} \n\nk1:${k1}`);
    expect(keyring.currentKeyId).toBe('k2');
    expect(keyring.keyIds).toEqual(['k2', 'k1']);
    expect(Keyring.parse(`k1:${k1},k2:${k2}`).currentKeyId).toBe('k1');
  });

  it('never shows key bytes in JSON or in inspect()', () => {
    const keyring = Keyring.parse(`k2:${k2},k1:${k1}`);
    for (const shown of [JSON.stringify(keyring), inspect(keyring), inspect({ config: keyring }, { depth: 5 })]) {
      expect(shown).toContain('k2');
      expect(shown).not.toContain(k2);
      expect(shown).not.toContain(k1);
      expect(shown).not.toContain(Buffer.from(k2, 'base64').toString('hex').slice(0, 16));
    }
  });

  it('explains a bad configuration without echoing the key', () => {
    const short = randomBytes(16).toString('base64');
    const cases: Array<[string, RegExp]> = [
      ['', /names no keys/],
      [k1, /entry 1 is not "id:base64-key"/],
      [`k1:${short}`, /key "k1" is 16 bytes; AES-256 needs 32/],
      [`k1:not base64!`, /key "k1" is not base64/],
      [`k1:${k1},k1:${k2}`, /key id "k1" appears twice/],
      [`bad id:${k1}`, /key id "bad id" must be/],
    ];
    for (const [config, message] of cases) {
      const err = (() => {
        try {
          Keyring.parse(config);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err, config).toBeInstanceOf(KeyringError);
      expect(err!.message).toMatch(message);
      expect(err!.message).not.toContain(k1);
      expect(err!.message).not.toContain(short);
    }
  });

  describe('from a file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tandem-keys-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads one key a line from a file only its owner can read', async () => {
      const file = join(dir, 'payload-keys');
      await writeFile(file, `k2:${k2}\nk1:${k1}\n`, { mode: 0o600 });
      expect(Keyring.fromFile(file).keyIds).toEqual(['k2', 'k1']);
      await chmod(file, 0o644);
      expect(() => Keyring.fromFile(file)).toThrow(/readable by others \(mode 644\): chmod 600/);
      expect(() => Keyring.fromFile(join(dir, 'missing'))).toThrow(/no such file/);
    });

    it('takes inline keys over the file, and no keys when neither is set', async () => {
      const file = join(dir, 'other-keys');
      await writeFile(file, `kf:${k1}\n`, { mode: 0o600 });
      expect(loadKeyring({ payloadKeys: { keys: `ki:${k2}`, file } })!.currentKeyId).toBe('ki');
      expect(loadKeyring({ payloadKeys: { file } })!.currentKeyId).toBe('kf');
      expect(loadKeyring({ payloadKeys: {} })).toBeUndefined();
    });
  });
});
