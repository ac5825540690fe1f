// Bearer tokens: JWTs verified with jose, against a shared secret by default or the JWKS of a real
// identity provider. Scope travels in the token (roles, teams, clients), because the identity
// provider, not this API, decides who serves which client.
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { z } from 'zod';
import { ROLES, type Principal } from './principal';

export interface TokenSettings {
  /** HS256 shared secret (at least 32 bytes). Ignored when `jwksUrl` is set. */
  secret?: string;
  /** JWKS of an identity provider (RS256/ES256 tokens). */
  jwksUrl?: string;
  issuer: string;
  audience: string;
}

const Claims = z.object({
  sub: z.string().min(1).max(100),
  name: z.string().max(200).optional(),
  roles: z.array(z.enum(ROLES)).max(10),
  teams: z.array(z.string().max(64)).max(100).default([]),
  clients: z.array(z.string().max(64)).max(500).default([]),
});

export class InvalidToken extends Error {
  override readonly name = 'InvalidToken';
}

export class TokenVerifier {
  private readonly key: Parameters<typeof jwtVerify>[1];

  constructor(private readonly settings: TokenSettings) {
    if (settings.jwksUrl) this.key = createRemoteJWKSet(new URL(settings.jwksUrl));
    else if (settings.secret && Buffer.byteLength(settings.secret) >= 32) this.key = new TextEncoder().encode(settings.secret);
    else throw new Error('Authentication needs TANDEM_JWT_SECRET (32+ bytes) or TANDEM_JWKS_URL');
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, { issuer: this.settings.issuer, audience: this.settings.audience }));
    } catch (err) {
      throw new InvalidToken(`Token refused: ${(err as { code?: string }).code ?? 'invalid'}`);
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new InvalidToken('Token lacks the sub, roles, teams or clients claims');
    const { sub, name, roles, teams, clients } = claims.data;
    return { kind: 'operator', id: sub, name: name ?? sub, roles, teams, clients };
  }
}

/** Mints a token with the shared secret: the demo's and the tests' stand-in for an identity provider. */
export async function mintToken(settings: TokenSettings, principal: Omit<Principal, 'kind'>, ttl = '12h'): Promise<string> {
  if (!settings.secret) throw new Error('Minting needs the shared secret');
  return new SignJWT({ name: principal.name, roles: principal.roles, teams: principal.teams, clients: principal.clients })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(settings.secret));
}
