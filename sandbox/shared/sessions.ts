import { randomBytes } from 'node:crypto';

interface Session<TLogin> {
  login: TLogin;
  expiresAt: number;
}

/**
 * In-memory cookie sessions with an idle timeout: each use pushes the expiry out by the TTL in force
 * then. Generic over the login so every sandbox app keeps its own seed-login shape.
 */
export class SessionStore<TLogin> {
  readonly #sessions = new Map<string, Session<TLogin>>();

  constructor(private readonly now: () => number = Date.now) {}

  open(login: TLogin, ttlMs: number): string {
    const token = randomBytes(24).toString('base64url');
    this.#sessions.set(token, { login, expiresAt: this.now() + ttlMs });
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
