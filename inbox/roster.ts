// Who works here: operators (their teams, the clients they serve, their roles) and teams (where
// a team escalates to, whether new tasks are auto-assigned). A caller's identity comes from its
// signed token or API key (api/auth/), not from here; the roster says where a team escalates, who
// an auto-assign team hands new tasks to, and which clients and teams the metrics always list.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Actor } from '../contract/messages';
import { ROLES } from '../contract/roles';

const RosterFile = z.object({
  operators: z.array(
    z.object({
      operatorId: z.string().min(1),
      name: z.string().min(1),
      teams: z.array(z.string().min(1)),
      clients: z.array(z.string().min(1)),
      roles: z.array(z.enum(ROLES)).default(['operator']),
    }),
  ),
  teams: z.array(
    z.object({
      team: z.string().min(1),
      /** Team that receives this team's escalated tasks. */
      escalatesTo: z.string().optional(),
      /** New tasks go straight to the member with the least open work. */
      autoAssign: z.boolean().default(false),
    }),
  ),
});
export type RosterData = z.infer<typeof RosterFile>;
export type Operator = RosterData['operators'][number];
export type Team = RosterData['teams'][number];

/** The demo's people; production deployments name a file with TANDEM_ROSTER_FILE. */
export const DEMO_ROSTER: RosterData = {
  operators: [
    { operatorId: 'ana.lima', name: 'Ana Lima', teams: ['claims-review'], clients: ['acme-health', 'globex-insurance'], roles: ['operator'] },
    { operatorId: 'ben.okafor', name: 'Ben Okafor', teams: ['claims-review'], clients: ['acme-health'], roles: ['operator'] },
    { operatorId: 'carla.souza', name: 'Carla Souza', teams: ['claims-review'], clients: ['globex-insurance'], roles: ['operator'] },
    {
      operatorId: 'sam.rivera',
      name: 'Sam Rivera',
      teams: ['claims-review', 'claims-supervisors'],
      clients: ['acme-health', 'globex-insurance'],
      roles: ['operator', 'supervisor'],
    },
    { operatorId: 'dev.patel', name: 'Dev Patel', teams: ['payroll'], clients: ['acme-health'], roles: ['operator'] },
    { operatorId: 'priya.nair', name: 'Priya Nair', teams: ['payroll-ops'], clients: ['acme-health', 'globex-insurance', 'initech'], roles: ['operator'] },
    {
      operatorId: 'lee.chen',
      name: 'Lee Chen',
      teams: ['payroll-ops', 'payroll-supervisors'],
      clients: ['acme-health', 'globex-insurance', 'initech'],
      roles: ['operator', 'supervisor'],
    },
    // The quality team: reviews the claims sampled for four-eyes QA (workflows/claim-review/service-levels.ts).
    { operatorId: 'quinn.reyes', name: 'Quinn Reyes', teams: ['claims-qa'], clients: ['acme-health', 'globex-insurance'], roles: ['operator'] },
    { operatorId: 'dana.kim', name: 'Dana Kim', teams: ['data-entry'], clients: ['acme-health', 'globex-insurance'], roles: ['operator'] },
    { operatorId: 'nina.berg', name: 'Nina Berg', teams: [], clients: ['acme-health'], roles: ['scheduler'] },
    { operatorId: 'omar.haddad', name: 'Omar Haddad', teams: [], clients: ['acme-health', 'globex-insurance'], roles: ['process-admin'] },
    { operatorId: 'vera.acme', name: 'Vera (Acme Health)', teams: [], clients: ['acme-health'], roles: ['client-viewer'] },
  ],
  teams: [
    { team: 'claims-review', escalatesTo: 'claims-supervisors', autoAssign: false },
    { team: 'claims-supervisors', autoAssign: false },
    { team: 'claims-qa', autoAssign: false },
    { team: 'payroll', autoAssign: true },
    { team: 'payroll-ops', escalatesTo: 'payroll-supervisors', autoAssign: false },
    { team: 'payroll-supervisors', autoAssign: false },
    { team: 'data-entry', autoAssign: false },
  ],
};

export class Roster {
  private readonly people: Map<string, Operator>;
  private readonly teams: Map<string, Team>;

  constructor(data: RosterData) {
    this.people = new Map(data.operators.map((o) => [o.operatorId, o]));
    this.teams = new Map(data.teams.map((t) => [t.team, t]));
  }

  static fromFile(path: string): Roster {
    return new Roster(RosterFile.parse(JSON.parse(readFileSync(path, 'utf8'))));
  }

  static load(path?: string): Roster {
    return path ? Roster.fromFile(path) : new Roster(DEMO_ROSTER);
  }

  operators(): Operator[] {
    return [...this.people.values()];
  }

  find(operatorId: string): Operator | undefined {
    return this.people.get(operatorId);
  }

  team(team: string): Team | undefined {
    return this.teams.get(team);
  }

  membersOf(team: string, client: string): Operator[] {
    return [...this.people.values()].filter((o) => o.teams.includes(team) && o.clients.includes(client));
  }

  actorOf(operator: Operator): Actor {
    return { operatorId: operator.operatorId, teams: operator.teams, clients: operator.clients, roles: operator.roles };
  }
}
