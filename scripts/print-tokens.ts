// Prints a bearer token for each operator of the roster (the demo's stand-in for an identity
// provider), as shell lines: TOKEN_ANA_LIMA=eyJ… Use them as `Authorization: Bearer $TOKEN_…`.
import { loadConfig } from '../platform/config';
import { Roster } from '../inbox/roster';
import { tokenSettings } from '../api/auth/token-settings';
import { mintToken } from '../api/auth/token-verifier';

const config = loadConfig();
const settings = tokenSettings(config);
for (const operator of Roster.load(config.rosterFile).operators()) {
  const token = await mintToken(settings, { id: operator.operatorId, name: operator.name, roles: operator.roles, teams: operator.teams, clients: operator.clients });
  console.log(`TOKEN_${operator.operatorId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}=${token}`);
}
