// The bench's operators and their bearer tokens: a random shared secret per run stands in for the
// identity provider (as in the tests), so the timed requests pay for real token verification.
import { randomBytes } from 'node:crypto';
import { ApiKeys } from '../../api/auth/api-keys';
import { TokenVerifier, mintToken, type TokenSettings } from '../../api/auth/token-verifier';
import { Roster } from '../../inbox/roster';
import type { Actor } from '../../workflows/engine/messages';

export interface BenchOperator {
  id: string;
  actor: Actor;
  /** Request headers that authenticate this operator. */
  headers: Record<string, string>;
}

export interface BenchAuth {
  roster: Roster;
  /** For buildApp({ auth }). */
  auth: { tokens: TokenVerifier; apiKeys: ApiKeys };
  operators: BenchOperator[];
  /** Request headers of a supervisor of the team and client (may start runs and batches). */
  supervisor: Record<string, string>;
}

/** `supervisorClients`: more clients the supervisor serves (e.g. the sandbox's, to start a data-entry batch). */
export async function benchAuth(team: string, client: string, count = 4, supervisorClients: string[] = []): Promise<BenchAuth> {
  const roster = new Roster({
    operators: Array.from({ length: count }, (_, i) => ({
      operatorId: `bench.op${i + 1}`,
      name: `Bench operator ${i + 1}`,
      teams: [team],
      clients: [client],
      roles: ['operator' as const],
    })),
    teams: [{ team, autoAssign: false }],
  });
  const settings: TokenSettings = { secret: randomBytes(32).toString('base64url'), issuer: 'tandem-bench', audience: 'tandem-api' };
  const operators = await Promise.all(
    roster.operators().map(async (op) => {
      const token = await mintToken(settings, { id: op.operatorId, name: op.name, roles: op.roles, teams: op.teams, clients: op.clients });
      return { id: op.operatorId, actor: roster.actorOf(op), headers: { authorization: `Bearer ${token}` } };
    }),
  );
  const supervisor = await mintToken(settings, { id: 'bench.supervisor', name: 'Bench supervisor', roles: ['supervisor'], teams: [team], clients: [client, ...supervisorClients] });
  return { roster, auth: { tokens: new TokenVerifier(settings), apiKeys: new ApiKeys([]) }, operators, supervisor: { authorization: `Bearer ${supervisor}` } };
}
