// The webhook master key every subscription's signing secret is derived from. Production sets
// TANDEM_WEBHOOK_KEY (the API and the notifier must share it); a local stack gets a random key
// in its state folder on first use.
import { localSecret } from '../platform/local-secret';

export interface WebhookKeySettings {
  /** The key itself (at least 32 characters); wins over the file. */
  key?: string;
  /** Where a local stack keeps its generated key. */
  keyFile: string;
}

export function webhookMasterKey(settings: WebhookKeySettings): string {
  return settings.key ?? localSecret(settings.keyFile, 'webhook key');
}
