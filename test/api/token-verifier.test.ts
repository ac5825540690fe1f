// Bearer tokens from a real identity provider: RS256 tokens checked against its JWKS (served here
// by a local HTTP server), and the refusals that matter: wrong key, wrong audience, expired,
// missing scope claims.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { InvalidToken, TokenVerifier } from '../../api/auth/token-verifier';

let server: Server;
let jwksUrl: string;
let signingKey: CryptoKey;
let strangerKey: CryptoKey;

beforeAll(async () => {
  const provider = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  signingKey = provider.privateKey as CryptoKey;
  strangerKey = stranger.privateKey as CryptoKey;
  const jwk: JWK = { ...(await exportJWK(provider.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const claims = { name: 'Ana Lima', roles: ['operator'], teams: ['claims-review'], clients: ['acme-health'] };
const sign = (key: CryptoKey, { audience = 'tandem-api', expires = '5m', body = claims as object } = {}) =>
  new SignJWT({ ...body })
    .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
    .setSubject('ana.lima')
    .setIssuer('https://idp.example.test')
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(key);

describe('TokenVerifier with an identity provider’s JWKS', () => {
  const verifier = () => new TokenVerifier({ jwksUrl, issuer: 'https://idp.example.test', audience: 'tandem-api' });

  it('accepts the provider’s tokens and takes the scope from their claims', async () => {
    expect(await verifier().verify(await sign(signingKey))).toEqual({
      kind: 'operator',
      id: 'ana.lima',
      name: 'Ana Lima',
      roles: ['operator'],
      teams: ['claims-review'],
      clients: ['acme-health'],
    });
  });

  it('refuses tokens signed by another key, for another audience, expired, or without scope claims', async () => {
    const v = verifier();
    await expect(v.verify(await sign(strangerKey))).rejects.toBeInstanceOf(InvalidToken);
    await expect(v.verify(await sign(signingKey, { audience: 'someone-else' }))).rejects.toBeInstanceOf(InvalidToken);
    await expect(v.verify(await sign(signingKey, { expires: '-1m' }))).rejects.toBeInstanceOf(InvalidToken);
    await expect(v.verify(await sign(signingKey, { body: { name: 'No scope' } }))).rejects.toThrow(/roles/);
    await expect(v.verify('not-a-jwt')).rejects.toBeInstanceOf(InvalidToken);
  });

  it('refuses to start without a secret of 32 bytes or a JWKS URL', () => {
    expect(() => new TokenVerifier({ secret: 'short', issuer: 'i', audience: 'a' })).toThrow(/32/);
  });
});
