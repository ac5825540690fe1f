// Who the operators are, which teams they work in and which clients they serve. Until real
// authentication lands (see README: not built yet), the API trusts an `X-Operator-Id` header and
// looks the operator up here; the identity is then carried into every Update, so the workflow
// re-checks scope itself.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Actor } from '../workflows/engine/messages';

const OperatorFile = z.array(
  z.object({
    operatorId: z.string().min(1),
    name: z.string().min(1),
    teams: z.array(z.string().min(1)),
    clients: z.array(z.string().min(1)),
  }),
);
export type Operator = z.infer<typeof OperatorFile>[number];

/** The demo's operators; production deployments name a file with TANDEM_OPERATORS_FILE. */
export const DEMO_OPERATORS: Operator[] = [
  { operatorId: 'ana.lima', name: 'Ana Lima', teams: ['claims-review'], clients: ['acme-health', 'globex-insurance'] },
  { operatorId: 'ben.okafor', name: 'Ben Okafor', teams: ['claims-review'], clients: ['acme-health'] },
  { operatorId: 'carla.souza', name: 'Carla Souza', teams: ['claims-review'], clients: ['globex-insurance'] },
  { operatorId: 'dev.patel', name: 'Dev Patel', teams: ['payroll'], clients: ['acme-health'] },
];

export class OperatorDirectory {
  private readonly byId: Map<string, Operator>;

  constructor(operators: Operator[]) {
    this.byId = new Map(operators.map((o) => [o.operatorId, o]));
  }

  static fromFile(path: string): OperatorDirectory {
    return new OperatorDirectory(OperatorFile.parse(JSON.parse(readFileSync(path, 'utf8'))));
  }

  find(operatorId: string): Operator | undefined {
    return this.byId.get(operatorId);
  }

  actorOf(operator: Operator): Actor {
    return { operatorId: operator.operatorId, teams: operator.teams, clients: operator.clients };
  }
}
