// What a process knows of one dependency (Temporal, Redis): a circuit that is closed while it
// answers, opens on the first sign of an outage (so requests are refused at once instead of each
// waiting out its deadline), and goes half-open while its own short probe asks whether the
// dependency is back. A state change is logged once, never once per request.
import type { Logger } from 'pino';

export type DependencyName = 'temporal' | 'redis';
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  name: DependencyName;
  /** Resolves when the dependency answers; given the probe's own deadline (ms). */
  probe: (timeoutMs: number) => Promise<unknown>;
  /** How long a probe may take before it counts as a failure. Default 1 s. */
  probeTimeoutMs?: number;
  /** While open: how often the probe asks. Default 1 s. */
  openProbeEveryMs?: number;
  /** While closed: how often the probe checks, so an outage is noticed without a request. Default 5 s; 0: never. */
  closedProbeEveryMs?: number;
  log?: Logger;
  onChange?: (state: CircuitState, since: Date) => void;
}

export interface CircuitStatus {
  name: DependencyName;
  state: CircuitState;
  /** When the circuit entered its state (closed: when the dependency came back, or the start). */
  since: string;
  /** While not closed: what the last failure said. */
  lastError?: string;
}

/** Thrown instead of calling a dependency whose circuit is open, or when a call meets an outage. */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: DependencyName,
    readonly since: Date,
    /** Seconds a caller should wait before trying again. */
    readonly retryAfterS: number,
    /** True when the request cannot have reached the dependency (refused before sending, or the connection was refused). */
    readonly notSent: boolean,
    detail: string,
  ) {
    super(detail);
    this.name = 'DependencyUnavailable';
  }
}

export class DependencyCircuit {
  readonly name: DependencyName;
  private current: CircuitState = 'closed';
  private changedAt = new Date();
  private lastError?: string;
  private timer?: NodeJS.Timeout;
  private probing?: Promise<void>;
  private stopped = false;
  private readonly probeTimeoutMs: number;
  private readonly openEveryMs: number;
  private readonly closedEveryMs: number;

  constructor(private readonly options: CircuitOptions) {
    this.name = options.name;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
    this.openEveryMs = options.openProbeEveryMs ?? 1_000;
    this.closedEveryMs = options.closedProbeEveryMs ?? 5_000;
  }

  get state(): CircuitState {
    return this.current;
  }

  get isClosed(): boolean {
    return this.current === 'closed';
  }

  get since(): Date {
    return this.changedAt;
  }

  /** What a caller told of an outage should wait: about one probe interval, at least 1 s. */
  get retryAfterS(): number {
    return Math.max(1, Math.ceil((this.openEveryMs + this.probeTimeoutMs) / 1000));
  }

  status(): CircuitStatus {
    return { name: this.name, state: this.current, since: this.changedAt.toISOString(), ...(this.lastError && !this.isClosed ? { lastError: this.lastError } : {}) };
  }

  /** Starts the background probe (once); `stop()` ends it. */
  start(): this {
    if (!this.timer && !this.stopped) this.schedule();
    return this;
  }

  /** Ends the background probe; resolves once a probe in flight has answered (its connection may close next). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.probing?.catch(() => undefined);
  }

  /** The error to throw for a call refused or failed because the dependency is away. */
  unavailable(notSent: boolean, cause?: string): DependencyUnavailable {
    const since = this.isClosed ? new Date() : this.changedAt;
    const what = cause ? `: ${cause}` : '';
    return new DependencyUnavailable(this.name, since, this.retryAfterS, notSent, `${this.name} is unavailable since ${since.toISOString()}${what}`);
  }

  /** Refuses at once while the circuit is not closed. */
  check(): void {
    if (!this.isClosed) throw this.unavailable(true);
  }

  /** A call met a sure sign of an outage (connection refused or closed): open now. */
  tripped(reason: string): void {
    this.lastError = reason;
    if (this.current === 'closed') this.move('open', reason);
    this.probeSoon();
  }

  /** A call took too long or failed oddly: not proof of an outage, so let the probe decide now. */
  suspect(reason: string): void {
    this.lastError = reason;
    this.probeSoon();
  }

  /** A call went through: the dependency answers. */
  succeeded(): void {
    if (this.current !== 'closed') this.move('closed');
  }

  /** Runs one probe now (tests and readiness use it to read a fresh state). */
  async probeNow(): Promise<CircuitState> {
    this.probing ??= this.runProbe().finally(() => (this.probing = undefined));
    await this.probing;
    return this.current;
  }

  private async runProbe(): Promise<void> {
    if (this.current === 'open') this.move('half-open');
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${this.probeTimeoutMs} ms`)), this.probeTimeoutMs)));
      await Promise.race([this.options.probe(this.probeTimeoutMs), timeout]);
      if (this.current !== 'closed') this.move('closed');
    } catch (err) {
      this.lastError = (err as Error).message;
      if (this.current !== 'open') this.move('open', this.lastError);
    } finally {
      clearTimeout(timer);
    }
  }

  private probeSoon(): void {
    if (this.stopped) return;
    void this.probeNow().then(() => this.schedule());
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const every = this.current === 'closed' ? this.closedEveryMs : this.openEveryMs;
    if (every <= 0) return; // closed and told not to watch: calls' failures will tell
    this.timer = setTimeout(() => void this.probeNow().then(() => this.schedule()), every);
    this.timer.unref();
  }

  private move(state: CircuitState, reason?: string): void {
    const from = this.current;
    this.current = state;
    this.changedAt = new Date();
    const log = this.options.log;
    if (log) {
      const fields = { dependency: this.name, from, to: state, ...(reason ? { reason } : {}) };
      // half-open is a probe in progress: worth a debug line, not an operator's attention.
      if (state === 'open' && from === 'closed') log.error(fields, `${this.name} is unavailable: answering its calls at once with 503 until it is back`);
      else if (state === 'closed') log.warn(fields, `${this.name} is back`);
      else log.debug(fields, `${this.name} circuit ${state}`);
    }
    this.options.onChange?.(state, this.changedAt);
  }
}
