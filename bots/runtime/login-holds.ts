// The session slots one bot attempt holds, one per client login it signs in with, all given back
// when the attempt ends however it ends.
import type { LoginSession, LoginSessions, SessionHolder } from './login-sessions';

export interface LoginHoldsOptions {
  sessions: LoginSessions;
  holder: SessionHolder;
  /** The attempt's own abort: waiting for a login gives up with it. */
  signal: AbortSignal;
  /** A hold lapsed: the attempt must stop using that login. */
  onLost: (reason: unknown) => void;
  /** The attempt starts (login) or stops (undefined) waiting for a busy login. */
  onWaiting: (login: string | undefined) => void;
}

export class LoginHolds {
  readonly #opts: LoginHoldsOptions;
  readonly #held = new Map<string, Promise<LoginSession>>();

  constructor(opts: LoginHoldsOptions) {
    this.#opts = opts;
  }

  /** Takes a session slot for `login` (at most `limit` holders at once), once per attempt. */
  async take(login: string, limit: number): Promise<void> {
    let holding = this.#held.get(login);
    if (!holding) {
      holding = this.#acquire(login, limit);
      this.#held.set(login, holding);
    }
    await holding;
  }

  async #acquire(login: string, limit: number): Promise<LoginSession> {
    const { sessions, holder, signal, onLost, onWaiting } = this.#opts;
    let waited = false;
    try {
      const session = await sessions.acquire(login, {
        limit,
        holder,
        signal,
        onWait: () => {
          waited = true;
          onWaiting(login);
        },
      });
      session.lost.addEventListener('abort', () => onLost(session.lost.reason), { once: true });
      return session;
    } finally {
      if (waited) onWaiting(undefined);
    }
  }

  /** Gives every slot back; slots still being waited for are abandoned by the attempt's abort. */
  async releaseAll(): Promise<void> {
    const holds = [...this.#held.values()];
    this.#held.clear();
    await Promise.all(holds.map((h) => h.then((session) => session.release()).catch(() => undefined)));
  }
}
