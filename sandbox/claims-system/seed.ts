// Sandbox data only. Passwords are not in the code: each is derived from a per-stack secret
// (SANDBOX_SECRET, or a random one kept in the state folder and shared by the app and the script
// that provisions Tandem's credential store), so the secret scans look for values no file holds.
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { localSecret } from '../../platform/local-secret';
import type { SeedClaim, SeedLogin, TenantId } from './types';

// The same default state folder as server.ts, so a sandbox started by hand agrees with print-credentials.
const SECRET = process.env.SANDBOX_SECRET ?? localSecret(join(process.env.TANDEM_STATE_DIR || '.state/dev', 'sandbox', 'secret'), 'sandbox secret');

function passwordOf(username: string): string {
  return createHmac('sha256', SECRET).update(username).digest('base64url').slice(0, 24);
}

export const SEED_TENANTS: Record<TenantId, { name: string }> = {
  'acme-health': { name: 'Acme Health' },
  'globex-insurance': { name: 'Globex Insurance' },
};

export const ACME_BOT_LOGIN = { username: 'acme-claims-bot', password: passwordOf('acme-claims-bot') } as const;
export const GLOBEX_BOT_LOGIN = { username: 'globex-claims-bot', password: passwordOf('globex-claims-bot') } as const;

export const SEED_LOGINS: readonly SeedLogin[] = [
  { ...ACME_BOT_LOGIN, tenant: 'acme-health', displayName: 'Acme claims bot', kind: 'bot' },
  { username: 'acme-jane', password: passwordOf('acme-jane'), tenant: 'acme-health', displayName: 'Jane Doe', kind: 'human' },
  { ...GLOBEX_BOT_LOGIN, tenant: 'globex-insurance', displayName: 'Globex claims bot', kind: 'bot' },
  { username: 'globex-omar', password: passwordOf('globex-omar'), tenant: 'globex-insurance', displayName: 'Omar Haddad', kind: 'human' },
];

/** The bot login of each tenant, keyed the way Tandem's credential store names them. */
export const BOT_CREDENTIALS: Record<`${TenantId}/claims-system`, { username: string; password: string }> = {
  'acme-health/claims-system': { ...ACME_BOT_LOGIN },
  'globex-insurance/claims-system': { ...GLOBEX_BOT_LOGIN },
};

function claim(
  tenant: TenantId,
  claimRef: string,
  memberId: string,
  memberName: string,
  diagnosisCode: string,
  amountCents: number,
  submittedOn: string,
): SeedClaim {
  return { tenant, claimRef, memberId, memberName, diagnosisCode, amountCents, submittedOn };
}

// Amounts straddle 500.00 on purpose: the claim-review process routes on that threshold.
export const SEED_CLAIMS: readonly SeedClaim[] = [
  claim('acme-health', 'CLM-1001', 'M-100231', 'Alice Martin', 'J45.909', 12_000, '2025-10-02'),
  claim('acme-health', 'CLM-1002', 'M-100232', 'Bruno Keller', 'S82.201A', 245_000, '2025-10-03'),
  claim('acme-health', 'CLM-1003', 'M-100245', 'Chloe Dubois', 'M54.5', 98_050, '2025-10-05'),
  claim('acme-health', 'CLM-1004', 'M-100231', 'Alice Martin', 'J06.9', 7_525, '2025-10-09'),
  claim('acme-health', 'CLM-1005', 'M-100260', 'Dmitri Volkov', 'E11.9', 31_040, '2025-10-12'),
  claim('acme-health', 'CLM-1006', 'M-100271', 'Emma Schultz', 'I10', 50_000, '2025-10-14'),
  claim('acme-health', 'CLM-1007', 'M-100288', 'Farid Nasser', 'K35.80', 1_287_500, '2025-10-20'),
  claim('acme-health', 'CLM-1008', 'M-100290', "Grace O'Neill", 'F41.1', 49_999, '2025-10-27'),
  claim('globex-insurance', 'CLM-2001', 'G-550012', 'Hiro Tanaka', 'J20.9', 8_900, '2025-09-28'),
  claim('globex-insurance', 'CLM-2002', 'G-550019', 'Ines Carvalho', 'S52.501A', 312_075, '2025-10-01'),
  claim('globex-insurance', 'CLM-2003', 'G-550027', 'Jonas Berg', 'N39.0', 21_500, '2025-10-04'),
  claim('globex-insurance', 'CLM-2004', 'G-550031', 'Kemi Adeyemi', 'O80', 640_000, '2025-10-08'),
  claim('globex-insurance', 'CLM-2005', 'G-550019', 'Ines Carvalho', 'M25.511', 45_010, '2025-10-15'),
  claim('globex-insurance', 'CLM-2006', 'G-550044', 'Luca Romano', 'H66.90', 6_350, '2025-10-18'),
  claim('globex-insurance', 'CLM-2007', 'G-550052', 'Maya Levi', 'R51.9', 50_001, '2025-10-22'),
  claim('globex-insurance', 'CLM-2008', 'G-550060', 'Noah Fischer', 'L03.90', 77_725, '2025-10-29'),
];

export function findLogin(username: string, password: string): SeedLogin | undefined {
  return SEED_LOGINS.find((l) => l.username === username && l.password === password);
}
