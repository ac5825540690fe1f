// Sandbox passwords are not in the code: each is derived from a per-stack secret (SANDBOX_SECRET,
// or a random one kept in the state folder and shared by the apps and the scripts that provision
// Tandem's credential store), so the secret scans look for values no file holds. Same derivation
// as sandbox/claims-system/seed.ts, so every sandbox app agrees with its print-credentials script.
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { localSecret } from '../../platform/local-secret';

// The same default state folder as the servers, so a sandbox started by hand agrees with print-credentials.
const SECRET =
  process.env.SANDBOX_SECRET ?? localSecret(join(process.env.TANDEM_STATE_DIR || '.state/dev', 'sandbox', 'secret'), 'sandbox secret');

/** The password of a sandbox login: stable for one stack, different on every other. */
export function sandboxPassword(username: string): string {
  return createHmac('sha256', SECRET).update(username).digest('base64url').slice(0, 24);
}
