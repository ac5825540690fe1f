// Credentials are named in workflows (`acme-health/claims-system`) and resolved only here, inside
// bot activities, so their values never enter workflow history.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export interface Credential {
  username: string;
  password: string;
}

export interface CredentialStore {
  resolve(name: string): Promise<Credential>;
}

const CredentialFile = z.record(z.string(), z.object({ username: z.string().min(1), password: z.string().min(1) }));

export class CredentialNotFound extends Error {
  override readonly name = 'CredentialNotFound';
  constructor(name: string) {
    super(`No credential named ${name} in the credential store`);
  }
}

/** Reads a JSON file of named logins (mode 600), re-read on every resolve so rotation needs no restart. */
export class FileCredentialStore implements CredentialStore {
  constructor(private readonly path: string) {}

  async resolve(name: string): Promise<Credential> {
    const parsed = CredentialFile.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
    if (!parsed.success) throw new Error(`Credential store ${this.path} is malformed`);
    const credential = parsed.data[name];
    if (!credential) throw new CredentialNotFound(name);
    return credential;
  }
}
