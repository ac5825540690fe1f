// The bot bench's credential store: the sandbox's seeded bot logins held in memory, so the bench
// needs no credentials file. Depends only on the CredentialStore interface.
import type { Credential, CredentialStore } from '../../activities/credentials';

export class InMemoryCredentialStore implements CredentialStore {
  readonly #logins: ReadonlyMap<string, Credential>;

  constructor(logins: Record<string, Credential>) {
    // Copies: a caller changing its object later must not change what the bots sign in with.
    this.#logins = new Map(Object.entries(logins).map(([name, c]) => [name, { ...c }]));
  }

  async resolve(name: string): Promise<Credential> {
    const login = this.#logins.get(name);
    // The name is safe to say; the values never are.
    if (!login) throw new Error(`No credential named ${name} in the bench's credential store`);
    return { ...login };
  }
}
