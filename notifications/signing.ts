// Webhook signatures. Every delivery attempt is signed afresh with the current time, so a receiver
// can refuse replays older than its tolerance window even when our retries span an hour.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-tandem-signature';
export const TIMESTAMP_HEADER = 'x-tandem-timestamp';
export const EVENT_HEADER = 'x-tandem-event';
export const DELIVERY_HEADER = 'x-tandem-delivery';

/** Five minutes either way, as most webhook senders use: enough for clock skew, short for replays. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * A subscription's signing secret, derived rather than stored: HMAC-SHA256(masterKey, subscriptionId).
 * Redis never holds it, so a copy of Redis cannot forge deliveries.
 */
export function deriveSecret(masterKey: string, subscriptionId: string): string {
  return `whsec_${createHmac('sha256', masterKey).update(subscriptionId).digest('base64url')}`;
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` */
export function signatureOf(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export interface VerifyOptions {
  /** Accepted distance between the timestamp and now, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** Now, in milliseconds (tests). Default Date.now(). */
  now?: number;
}

/**
 * For receivers: true when `header` is the signature of `body` (the raw request body, as received)
 * at `timestamp` (the x-tandem-timestamp header) and the timestamp is within the tolerance window.
 */
export function verifySignature(secret: string, timestamp: string | number | undefined, body: string | Buffer, header: string | undefined, options: VerifyOptions = {}): boolean {
  const { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now = Date.now() } = options;
  if (timestamp === undefined || header === undefined) return false;
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || String(seconds) !== String(timestamp).trim()) return false;
  if (Math.abs(now / 1000 - seconds) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureOf(secret, seconds, body));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
