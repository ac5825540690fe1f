// Where the API's token settings come from. Without a configured secret or JWKS URL, a local
// stack gets a random secret in its state folder, so the demo and the tests mint and verify
// tokens without anyone choosing a password; production sets TANDEM_JWT_SECRET or JWKS.
import type { TandemConfig } from '../../platform/config';
import { localSecret } from '../../platform/local-secret';
import type { TokenSettings } from './token-verifier';

export function tokenSettings(config: TandemConfig): TokenSettings {
  const { auth } = config;
  const base = { issuer: auth.issuer, audience: auth.audience };
  if (auth.jwksUrl) return { ...base, jwksUrl: auth.jwksUrl };
  return { ...base, secret: auth.secret ?? localSecret(auth.secretFile, 'token secret') };
}
