// Tokens for tests: a random shared secret per test process stands in for the identity provider,
// and tokens are minted for the demo roster's people.
import { randomBytes } from 'node:crypto';
import { ApiKeys, type ApiKeyRecord } from '../../api/auth/api-keys';
import { TokenVerifier, mintToken, type TokenSettings } from '../../api/auth/token-verifier';
import { Roster } from '../../inbox/roster';

export const TEST_TOKEN_SETTINGS: TokenSettings = { secret: randomBytes(32).toString('base64url'), issuer: 'tandem-test', audience: 'tandem-api' };

/** A scheduler's machine key, for the tests that call as a service. */
export const SCHEDULER_KEY = ApiKeys.issue({ id: 'nightly-scheduler', name: 'Nightly scheduler', roles: ['scheduler'], clients: ['acme-health'], teams: [] });

export function testAuth(extraKeys: ApiKeyRecord[] = []) {
  return { tokens: new TokenVerifier(TEST_TOKEN_SETTINGS), apiKeys: new ApiKeys([SCHEDULER_KEY.record, ...extraKeys]) };
}

const roster = Roster.load();
const cache = new Map<string, string>();

/** `{ authorization: 'Bearer …' }` for a person of the demo roster. */
export async function bearer(operatorId: string): Promise<Record<string, string>> {
  let token = cache.get(operatorId);
  if (!token) {
    const op = roster.find(operatorId);
    if (!op) throw new Error(`no ${operatorId} in the demo roster`);
    token = await mintToken(TEST_TOKEN_SETTINGS, { id: op.operatorId, name: op.name, roles: op.roles, teams: op.teams, clients: op.clients });
    cache.set(operatorId, token);
  }
  return { authorization: `Bearer ${token}` };
}
