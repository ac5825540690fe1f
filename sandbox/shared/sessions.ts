import { randomBytes } from 'node:crypto';

interface Session<TLogin> {
  login: TLogin;
  /** Who signed in (the user name): what a per-user session limit counts by. */
  user: string;
  expiresAt: number;
}

/**
 * In-memory cookie sessions with an idle timeout: each use pushes the expiry out by the TTL in force
 * then. Generic over the login so every sandbox app keeps its own seed-login shape.
 */
export class SessionStore<TLogin> {
  readonly #sessions = new Map<string, Session<TLogin>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Opens a session for `login`. With `perUser` (a limit of at least 1), the user's oldest live
   * sessions are closed first so that at most that many stay open: what a client system that allows
   * one session per user does to the session a second sign-in replaces.
   */
  open(login: TLogin, ttlMs: number, perUser?: { user: string; max: number }): string {
    if (perUser && perUser.max >= 1) {
      // A Map iterates in insertion order: the oldest sessions come first.
      const theirs = [...this.#sessions].filter(([, s]) => s.user === perUser.user);
      for (const [token] of theirs.slice(0, Math.max(0, theirs.length - perUser.max + 1))) this.#sessions.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    this.#sessions.set(token, { login, user: perUser?.user ?? '', expiresAt: this.now() + ttlMs });
    return token;
  }

  /** The session's login if it is still alive (and refreshes it), else undefined. */
  touch(token: string | undefined, ttlMs: number): TLogin | undefined {
    if (token === undefined) return undefined;
    const session = this.#sessions.get(token);
    if (session === undefined) return undefined;
    const now = this.now();
    if (session.expiresAt <= now) {
      this.#sessions.delete(token);
      return undefined;
    }
    session.expiresAt = now + ttlMs;
    return session.login;
  }

  close(token: string | undefined): void {
    if (token !== undefined) this.#sessions.delete(token);
  }
}
