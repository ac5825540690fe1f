// Bot steps as the bot worker sees them: every attempt's duration by outcome, and failures by kind
// (a business exception goes to a human; a system fault is retried by Temporal).
import { tandemCounter, tandemHistogram, type Registry } from './registry';

export type BotFailureKind = 'business' | 'system';

/** Seconds: a page read to a long multi-page entry. */
const STEP_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

export interface BotStepTimer {
  succeeded(): void;
  failed(kind: BotFailureKind): void;
}

export class BotMetrics {
  private readonly duration;
  private readonly failures;

  constructor(registry: Registry) {
    this.duration = tandemHistogram(registry, {
      name: 'tandem_bot_step_duration_seconds',
      help: 'Duration of each bot step attempt on this bot worker, by bot (activity name) and outcome (ok, business, system)',
      labelNames: ['bot', 'outcome'],
      buckets: STEP_BUCKETS,
    });
    this.failures = tandemCounter(registry, {
      name: 'tandem_bot_step_failures_total',
      help: 'Failed bot step attempts on this bot worker, by bot and kind (business: routed to a human; system: retried)',
      labelNames: ['bot', 'kind'],
    });
  }

  /** Starts timing one attempt of `bot`; call exactly one of the returned methods when it ends. */
  start(bot: string, now: () => number = performance.now.bind(performance)): BotStepTimer {
    const started = now();
    const elapsed = () => (now() - started) / 1000;
    return {
      succeeded: () => this.duration.observe({ bot, outcome: 'ok' }, elapsed()),
      failed: (kind) => {
        this.duration.observe({ bot, outcome: kind }, elapsed());
        this.failures.inc({ bot, kind });
      },
    };
  }
}
