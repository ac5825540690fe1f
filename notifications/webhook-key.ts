// The webhook master key every subscription's signing secret is derived from. Production sets
// TANDEM_WEBHOOK_KEY (the API and the notifier must share it); a local stack gets a random key
// in its state folder on first use (mode 600), as api/auth/token-settings.ts does for the JWT secret.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface WebhookKeySettings {
  /** The key itself (at least 32 characters); wins over the file. */
  key?: string;
  /** Where a local stack keeps its generated key. */
  keyFile: string;
}

export function webhookMasterKey(settings: WebhookKeySettings): string {
  if (settings.key) return settings.key;
  if (!existsSync(settings.keyFile)) {
    mkdirSync(dirname(settings.keyFile), { recursive: true });
    try {
      writeFileSync(settings.keyFile, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // The API or the notifier created it first: use theirs, or the secrets would not match.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = readFileSync(settings.keyFile, 'utf8').trim();
  if (key.length < 32) throw new Error(`The webhook key in ${settings.keyFile} is shorter than 32 characters`);
  return key;
}
