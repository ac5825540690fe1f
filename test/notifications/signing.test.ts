// The receiver's side of signatures: verifySignature accepts exactly what the notifier signs, within the window.
import { describe, expect, it } from 'vitest';
import { deriveSecret, signatureOf, verifySignature } from '../../notifications/signing';

const secret = deriveSecret('m'.repeat(40), 'whs_AAAAAAAAAAAAAAAA');
const body = JSON.stringify({ id: 'run-1:run.failed:0', type: 'run.failed' });
const now = Date.UTC(2030, 0, 1, 6, 0, 0);
const ts = Math.floor(now / 1000);

describe('webhook signatures', () => {
  it('derives a stable secret per subscription and master key', () => {
    expect(deriveSecret('m'.repeat(40), 'whs_AAAAAAAAAAAAAAAA')).toBe(secret);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(deriveSecret('m'.repeat(40), 'whs_BBBBBBBBBBBBBBBB')).not.toBe(secret);
    expect(deriveSecret('n'.repeat(40), 'whs_AAAAAAAAAAAAAAAA')).not.toBe(secret);
  });

  it('accepts the signature of the body at the timestamp, as a string or the raw bytes', () => {
    const header = signatureOf(secret, ts, body);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(secret, String(ts), body, header, { now })).toBe(true);
    expect(verifySignature(secret, ts, Buffer.from(body), header, { now })).toBe(true);
  });

  it('refuses a changed body, another timestamp, another secret, or a malformed header', () => {
    const header = signatureOf(secret, ts, body);
    expect(verifySignature(secret, ts, body.replace('run-1', 'run-2'), header, { now })).toBe(false);
    expect(verifySignature(secret, ts + 1, body, header, { now })).toBe(false);
    expect(verifySignature(deriveSecret('m'.repeat(40), 'whs_BBBBBBBBBBBBBBBB'), ts, body, header, { now })).toBe(false);
    for (const bad of ['', 'sha256=', header.slice(0, -1), header.replace('sha256=', 'sha1='), undefined]) {
      expect(verifySignature(secret, ts, body, bad, { now }), String(bad)).toBe(false);
    }
    expect(verifySignature(secret, undefined, body, header, { now })).toBe(false);
    expect(verifySignature(secret, `${ts}.5`, body, header, { now })).toBe(false);
  });

  it('refuses a timestamp outside the tolerance window (a replay)', () => {
    const old = ts - 301;
    expect(verifySignature(secret, old, body, signatureOf(secret, old, body), { now })).toBe(false);
    expect(verifySignature(secret, old, body, signatureOf(secret, old, body), { now, toleranceSeconds: 600 })).toBe(true);
    const early = ts + 299;
    expect(verifySignature(secret, early, body, signatureOf(secret, early, body), { now })).toBe(true);
  });
});
