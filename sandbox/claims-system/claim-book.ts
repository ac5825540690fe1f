import type { AdjudicationLedger } from './ledger';
import { SEED_CLAIMS } from './seed';
import type { ClaimView, SeedClaim, TenantId } from './types';

export const PAGE_SIZE = 5;

/**
 * The claims a tenant can see. Claim data is the immutable seed; status and history come from the
 * ledger, so a restart (which reloads the ledger) brings back exactly what was adjudicated.
 */
export class ClaimBook {
  constructor(
    private readonly ledger: AdjudicationLedger,
    private readonly claims: readonly SeedClaim[] = SEED_CLAIMS,
  ) {}

  get(tenant: TenantId, claimRef: string): ClaimView | undefined {
    const claim = this.claims.find((c) => c.tenant === tenant && c.claimRef === claimRef) ?? this.#intake(tenant, claimRef);
    return claim ? this.#view(claim) : undefined;
  }

  /**
   * A later claim of the same kind as a seeded one: `CLM-1002` followed by six digits is a new claim
   * with CLM-1002's member, diagnosis and amount. Tests and the demo take a claim nobody has worked
   * yet this way, without shared state; restarts bring them back like the seed (status from the ledger).
   */
  #intake(tenant: TenantId, claimRef: string): SeedClaim | undefined {
    const m = /^(CLM-\d{4})\d{6}$/.exec(claimRef);
    const like = m && this.claims.find((c) => c.tenant === tenant && c.claimRef === m[1]);
    return like ? { ...like, claimRef } : undefined;
  }

  search(tenant: TenantId, q: string, page: number): { rows: ClaimView[]; page: number; pages: number } {
    const needle = q.trim().toLowerCase();
    const matches = this.claims.filter(
      (c) =>
        c.tenant === tenant &&
        (needle === '' ||
          [c.claimRef, c.memberId, c.memberName, c.diagnosisCode].some((f) => f.toLowerCase().includes(needle))),
    );
    const pages = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    const rows = matches.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE).map((c) => this.#view(c));
    return { rows, page: current, pages };
  }

  #view(claim: SeedClaim): ClaimView {
    const lines = this.ledger.visibleFor(claim.tenant, claim.claimRef);
    const reversals = new Map(lines.filter((e) => e.reverses).map((e) => [e.reverses!, e]));
    const adjudications = lines.filter((e) => !e.reverses).map((e) => ({ ...e, ...(reversals.has(e.confirmation) ? { reversal: reversals.get(e.confirmation)! } : {}) }));
    const standing = adjudications.some((a) => !a.reversal);
    return { ...claim, status: standing ? 'adjudicated' : 'open', adjudications };
  }
}
