// A bot's progress, heartbeated on a timer so a dead worker is noticed in seconds and the next
// attempt can resume from the last progress it saw.

export interface ProgressBeatOptions {
  /** Sends one heartbeat (Temporal's Context.heartbeat). */
  heartbeat: (details: Record<string, unknown>) => void;
  /** Progress to start from (the previous attempt's last heartbeat). */
  initial?: Record<string, unknown>;
  everyMs: number;
}

export class ProgressBeat {
  #progress: Record<string, unknown>;
  readonly #heartbeat: (details: Record<string, unknown>) => void;
  readonly #timer: NodeJS.Timeout;

  constructor(opts: ProgressBeatOptions) {
    this.#heartbeat = opts.heartbeat;
    this.#progress = { ...opts.initial };
    this.beat();
    this.#timer = setInterval(() => this.beat(), opts.everyMs);
  }

  get current(): Record<string, unknown> {
    return { ...this.#progress };
  }

  /** Records progress and hands it to Temporal at once: the SDK throttles what it sends but always
   *  keeps the latest, so a crash right after a page loses nothing the next attempt could resume from. */
  merge(detail: Record<string, unknown>): void {
    this.#progress = { ...this.#progress, ...detail };
    this.beat();
  }

  remove(key: string): void {
    const rest = { ...this.#progress };
    delete rest[key];
    this.#progress = rest;
  }

  beat(): void {
    this.#heartbeat(this.#progress);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
