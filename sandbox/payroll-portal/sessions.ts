import { randomBytes } from 'node:crypto';
import type { SeedLogin } from './types';

interface Session {
  login: SeedLogin;
  expiresAt: number;
}

/** In-memory sessions with an idle timeout: each use pushes the expiry out by the TTL in force then. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  open(login: SeedLogin, ttlMs: number): string {
    const token = randomBytes(24).toString('base64url');
    this.#sessions.set(token, { login, expiresAt: this.now() + ttlMs });
    return token;
  }

  /** The session's login if it is still alive (and refreshes it), else undefined. */
  touch(token: string | undefined, ttlMs: number): SeedLogin | undefined {
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
