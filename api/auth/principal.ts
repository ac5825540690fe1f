// Who is calling: an operator (signed in through the identity provider) or a service (API key).
// Roles say what they may do; clients and teams say on whose data.
import type { Actor } from '../../contract/messages';
import type { Role } from '../../contract/roles';

export { ROLES, type Role } from '../../contract/roles';

export interface Principal {
  kind: 'operator' | 'service';
  /** Operator id (the token's `sub`) or API key id. */
  id: string;
  name: string;
  roles: Role[];
  teams: string[];
  clients: string[];
}

export function hasAnyRole(principal: Principal, roles: readonly Role[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}

/** The identity carried into every Update, so the run re-checks scope itself. */
export function actorOf(principal: Principal): Actor {
  return { operatorId: principal.id, teams: principal.teams, clients: principal.clients, roles: principal.roles };
}
