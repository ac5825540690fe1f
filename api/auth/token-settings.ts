// Where the API's token settings come from. Without a configured secret or JWKS URL, a local
// stack gets a random secret in its state folder (mode 600), so the demo and the tests mint and
// verify tokens without anyone choosing a password; production sets TANDEM_JWT_SECRET or JWKS.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TandemConfig } from '../../platform/config';
import type { TokenSettings } from './token-verifier';

export function tokenSettings(config: TandemConfig): TokenSettings {
  const { auth } = config;
  const base = { issuer: auth.issuer, audience: auth.audience };
  if (auth.jwksUrl) return { ...base, jwksUrl: auth.jwksUrl };
  if (auth.secret) return { ...base, secret: auth.secret };
  if (!existsSync(auth.secretFile)) {
    mkdirSync(dirname(auth.secretFile), { recursive: true });
    try {
      writeFileSync(auth.secretFile, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process (the API, the token printer) created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return { ...base, secret: readFileSync(auth.secretFile, 'utf8').trim() };
}
