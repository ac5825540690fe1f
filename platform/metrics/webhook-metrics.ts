// Webhook deliveries, for the notifier worker to record (it owns notifications/**): one count per
// delivery attempt by event type and outcome, and how long the receiver took to answer.
import { tandemCounter, tandemHistogram, type Registry } from './registry';

/** delivered: the receiver answered 2xx. retrying: the attempt failed and BullMQ will try again.
 *  dead_lettered: the last attempt failed; the delivery waits in the dead-letter list for a re-drive. */
export type WebhookOutcome = 'delivered' | 'retrying' | 'dead_lettered';

const RESPONSE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

export class WebhookMetrics {
  private readonly deliveries;
  private readonly duration;

  constructor(registry: Registry) {
    this.deliveries = tandemCounter(registry, {
      name: 'tandem_webhook_deliveries_total',
      help: 'Webhook delivery attempts by event type and outcome (delivered, retrying, dead_lettered)',
      labelNames: ['event', 'outcome'],
    });
    this.duration = tandemHistogram(registry, {
      name: 'tandem_webhook_delivery_duration_seconds',
      help: 'Time from sending a webhook to the receiver’s answer (or the error), by event type',
      labelNames: ['event'],
      buckets: RESPONSE_BUCKETS,
    });
  }

  /** One attempt ended: `event` is the event type (e.g. `sla.breached`), `seconds` how long it took. */
  attempted(event: string, outcome: WebhookOutcome, seconds: number): void {
    this.deliveries.inc({ event, outcome });
    if (Number.isFinite(seconds)) this.duration.observe({ event }, seconds);
  }
}
