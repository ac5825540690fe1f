// Sandbox data only: three client tenants, their logins and their employees, all deterministic.
import { sandboxPassword } from '../shared/secret';
import type { SeedEmployee, SeedLogin, TenantId } from './types';

interface TenantSeed {
  name: string;
  /** Prefix and first number of employee ids, e.g. `AC-1001`. */
  idPrefix: string;
  firstId: number;
  employees: number;
  /** Employees the portal shows as terminated (0-based positions). */
  terminated: readonly number[];
}

export const SEED_TENANTS: Record<TenantId, TenantSeed> = {
  'acme-health': { name: 'Acme Health', idPrefix: 'AC-', firstId: 1001, employees: 60, terminated: [5, 44] },
  'globex-insurance': { name: 'Globex Insurance', idPrefix: 'GX-', firstId: 2001, employees: 25, terminated: [3] },
  initech: { name: 'Initech', idPrefix: 'IN-', firstId: 100_001, employees: 2_000, terminated: [17, 999, 1_500] },
};

export const TENANT_IDS = Object.keys(SEED_TENANTS) as TenantId[];

/** The portal's own cost centers; timesheet lines naming anything else are what operators correct. */
export const PORTAL_COST_CENTERS = ['OPS-100', 'CLIN-200', 'ADM-300', 'SALES-400', 'IT-500'] as const;

function botLogin(tenant: TenantId, prefix: string): SeedLogin {
  const username = `${prefix}-payroll-bot`;
  return { username, password: sandboxPassword(username), tenant, displayName: `${SEED_TENANTS[tenant].name} payroll bot`, kind: 'bot' };
}

function humanLogin(tenant: TenantId, username: string, displayName: string): SeedLogin {
  return { username, password: sandboxPassword(username), tenant, displayName, kind: 'human' };
}

export const ACME_PAYROLL_BOT = botLogin('acme-health', 'acme');
export const GLOBEX_PAYROLL_BOT = botLogin('globex-insurance', 'globex');
export const INITECH_PAYROLL_BOT = botLogin('initech', 'initech');

export const SEED_LOGINS: readonly SeedLogin[] = [
  ACME_PAYROLL_BOT,
  humanLogin('acme-health', 'acme-priya', 'Priya Natarajan'),
  GLOBEX_PAYROLL_BOT,
  humanLogin('globex-insurance', 'globex-tom', 'Tom Becker'),
  INITECH_PAYROLL_BOT,
  humanLogin('initech', 'initech-bill', 'Bill Lumbergh'),
];

const credentialOf = (login: SeedLogin): { username: string; password: string } => ({ username: login.username, password: login.password });

/** The bot login of each tenant, keyed the way Tandem's credential store names them. */
export const BOT_CREDENTIALS: Record<`${TenantId}/payroll-portal`, { username: string; password: string }> = {
  'acme-health/payroll-portal': credentialOf(ACME_PAYROLL_BOT),
  'globex-insurance/payroll-portal': credentialOf(GLOBEX_PAYROLL_BOT),
  'initech/payroll-portal': credentialOf(INITECH_PAYROLL_BOT),
};

export function findLogin(username: string, password: string): SeedLogin | undefined {
  return SEED_LOGINS.find((l) => l.username === username && l.password === password);
}

const FIRST_NAMES = ['Ada', 'Bilal', 'Carmen', 'Dario', 'Elif', 'Felix', 'Greta', 'Hamza', 'Ines', 'Jonas', 'Keiko', 'Luis', 'Marta', 'Nils', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Vera', 'Wen', 'Yusuf', 'Zoe'];
const LAST_NAMES = ['Abbott', 'Brandt', 'Costa', 'Dietrich', 'Eriksen', 'Fontaine', 'Garcia', 'Horvat', 'Ivanova', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Novak', "O'Brien", 'Petrov', 'Quast', 'Rossi', 'Sato', 'Thorsen', 'Ueda', 'Varga', 'Weber', 'Young', 'Zimmer'];

function employee(tenant: TenantId, seed: TenantSeed, i: number): SeedEmployee {
  // Co-prime strides spread names, rates and cost centers without a random source.
  return {
    tenant,
    employeeId: `${seed.idPrefix}${seed.firstId + i}`,
    name: `${FIRST_NAMES[i % FIRST_NAMES.length]} ${LAST_NAMES[(i * 7 + Math.floor(i / FIRST_NAMES.length)) % LAST_NAMES.length]}`,
    costCenter: PORTAL_COST_CENTERS[(i * 3) % PORTAL_COST_CENTERS.length] ?? 'OPS-100',
    hourlyRateCents: 2_000 + ((i * 137) % 161) * 25,
    status: seed.terminated.includes(i) ? 'terminated' : 'active',
  };
}

export const SEED_EMPLOYEES: ReadonlyMap<TenantId, readonly SeedEmployee[]> = new Map(
  TENANT_IDS.map((tenant) => {
    const seed = SEED_TENANTS[tenant];
    return [tenant, Array.from({ length: seed.employees }, (_, i) => employee(tenant, seed, i))];
  }),
);

export function employeesOf(tenant: TenantId): readonly SeedEmployee[] {
  return SEED_EMPLOYEES.get(tenant) ?? [];
}
