// How hard we try to deliver one webhook. Set where events are queued (the job carries them).

export interface DeliveryOptions {
  /** Attempts in all, the first included; a job that fails the last one stays failed (a dead letter). Default 8. */
  attempts: number;
  /** First retry delay in ms, doubled for each retry after it. Default 30 000 (8 attempts span about 64 minutes). */
  backoffMs: number;
  /** Random share (0–1) taken off each retry delay, so a receiver coming back is not hit by every retry at once. Default 0.2. */
  backoffJitter: number;
  /** How long delivered jobs stay listable, in seconds; they also keep a replayed event from going out twice. Default 86 400. */
  keepCompletedSeconds: number;
  /** At most this many delivered jobs are kept. Default 10 000. */
  keepCompletedCount: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  attempts: 8,
  backoffMs: 30_000,
  backoffJitter: 0.2,
  keepCompletedSeconds: 86_400,
  keepCompletedCount: 10_000,
};

/** The BullMQ queue's name; its keys live under the installation's Redis prefix. */
export const DELIVERY_QUEUE = 'webhook-deliveries';
