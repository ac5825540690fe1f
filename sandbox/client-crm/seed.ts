// Sandbox data only. Passwords are derived from the per-stack secret (sandbox/shared/secret.ts),
// never written in the code.
import { sandboxPassword } from '../shared/secret';
import type { CustomerRecord, SeedLogin, TenantId } from './types';

export const SEED_TENANTS: Record<TenantId, { name: string }> = {
  'acme-health': { name: 'Acme Health' },
  'globex-insurance': { name: 'Globex Insurance' },
};

export const ACME_CRM_BOT_LOGIN = { username: 'acme-crm-bot', password: sandboxPassword('acme-crm-bot') } as const;
export const GLOBEX_CRM_BOT_LOGIN = { username: 'globex-crm-bot', password: sandboxPassword('globex-crm-bot') } as const;

export const SEED_LOGINS: readonly SeedLogin[] = [
  { ...ACME_CRM_BOT_LOGIN, tenant: 'acme-health', displayName: 'Acme data entry bot', kind: 'bot' },
  { username: 'acme-priya', password: sandboxPassword('acme-priya'), tenant: 'acme-health', displayName: 'Priya Shah', kind: 'human' },
  { ...GLOBEX_CRM_BOT_LOGIN, tenant: 'globex-insurance', displayName: 'Globex data entry bot', kind: 'bot' },
  { username: 'globex-lena', password: sandboxPassword('globex-lena'), tenant: 'globex-insurance', displayName: 'Lena Novak', kind: 'human' },
];

/** The bot login of each tenant, keyed the way Tandem's credential store names them. */
export const BOT_CREDENTIALS: Record<`${TenantId}/client-crm`, { username: string; password: string }> = {
  'acme-health/client-crm': { ...ACME_CRM_BOT_LOGIN },
  'globex-insurance/client-crm': { ...GLOBEX_CRM_BOT_LOGIN },
};

export function findLogin(username: string, password: string): SeedLogin | undefined {
  return SEED_LOGINS.find((l) => l.username === username && l.password === password);
}

export const SEED_CUSTOMERS_PER_TENANT = 60;

const FIRST = ['Alice', 'Bruno', 'Chloe', 'Dmitri', 'Emma', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Luca', 'Maya', 'Noah', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Sven', 'Tara'];
const LAST = ['Martin', 'Keller', 'Dubois', 'Volkov', 'Schultz', 'Nasser', "O'Neill", 'Tanaka', 'Carvalho', 'Berg', 'Adeyemi', 'Romano', 'Levi', 'Fischer', 'Ivanova', 'Silva', 'Baker', 'Moreno', 'Lind', 'Patel'];
const UK_AREAS = ['SW1A 1AA', 'EC1A 1BB', 'W1A 0AX', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'LS1 4AP', 'G2 3WT', 'BS1 5TR'];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * Sixty customers per tenant, more than two pages of 25, so finding a record means following
 * pagination. Acme's customers live in the UK, Globex's in the US (5-digit ZIP codes).
 */
function seedCustomers(tenant: TenantId, tenantNo: 1 | 2): CustomerRecord[] {
  const slug = tenant.split('-')[0] ?? tenant;
  return Array.from({ length: SEED_CUSTOMERS_PER_TENANT }, (_, i) => {
    const n = i + 1;
    const firstName = FIRST[i % FIRST.length] ?? 'Alex';
    const lastName = LAST[(i * 7 + tenantNo) % LAST.length] ?? 'Smith';
    const localPart = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
    return {
      tenant,
      recordId: `CR-${tenantNo}${pad(n, 5)}`,
      externalReference: `legacy-${slug}-${pad(n, 4)}`,
      firstName,
      lastName,
      email: `${localPart}${n}@example.com`,
      phone: tenantNo === 1 ? `+44 7700 9${pad(n, 5)}` : `+1 555 ${pad(100 + n, 3)} ${pad((n * 7919) % 10_000, 4)}`,
      postcode: tenantNo === 1 ? (UK_AREAS[i % UK_AREAS.length] ?? 'SW1A 1AA') : pad(10_000 + n * 137, 5),
      dateOfBirth: `${1950 + ((i * 13) % 50)}-${pad(1 + (i % 12), 2)}-${pad(1 + ((i * 5) % 28), 2)}`,
      accountNumber: `AC-${tenantNo}${pad(n, 5)}`,
      createdAt: `2024-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}T09:00:00.000Z`,
    };
  });
}

export const SEED_CUSTOMERS: readonly CustomerRecord[] = [...seedCustomers('acme-health', 1), ...seedCustomers('globex-insurance', 2)];
