import type { ValidCustomer } from './customer-form';
import type { CustomerLedger } from './ledger';
import { SEED_CUSTOMERS } from './seed';
import type { CustomerRecord, LedgerEntry, TenantId } from './types';

export const PAGE_SIZE = 25;

export type CreateOutcome = { created: CustomerRecord } | { duplicateOf: CustomerRecord };

export interface SearchPage {
  rows: CustomerRecord[];
  page: number;
  pages: number;
  total: number;
}

function fromLedger(entry: LedgerEntry): CustomerRecord {
  return { tenant: entry.tenant, recordId: entry.recordId, externalReference: entry.externalReference, ...entry.fields, createdAt: entry.at };
}

/**
 * The customer records a tenant can see, oldest first: the immutable seed, then every record the
 * ledger holds since the last reset (so a restart brings back exactly what was created).
 */
export class CustomerBook {
  constructor(
    private readonly ledger: CustomerLedger,
    private readonly seed: readonly CustomerRecord[] = SEED_CUSTOMERS,
  ) {}

  get(tenant: TenantId, recordId: string): CustomerRecord | undefined {
    return this.#all(tenant).find((c) => c.recordId === recordId);
  }

  /** Case-insensitive "contains" on the external reference and the name, 25 a page. */
  search(tenant: TenantId, q: string, page: number): SearchPage {
    const needle = q.trim().toLowerCase();
    const matches = this.#all(tenant).filter(
      (c) =>
        needle === '' ||
        [c.externalReference, `${c.firstName} ${c.lastName}`, `${c.lastName}, ${c.firstName}`].some((f) => f.toLowerCase().includes(needle)),
    );
    const pages = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    return { rows: matches.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE), page: current, pages, total: matches.length };
  }

  /** Records a new customer unless the tenant already has that account number (checked in the append's turn). */
  async create(tenant: TenantId, customer: ValidCustomer): Promise<CreateOutcome> {
    const outcome = await this.ledger.append(
      { tenant, externalReference: customer.externalReference, accountNumber: customer.fields.accountNumber, fields: customer.fields },
      () => this.#all(tenant).find((c) => c.accountNumber === customer.fields.accountNumber),
    );
    return 'entry' in outcome ? { created: fromLedger(outcome.entry) } : { duplicateOf: outcome.refused };
  }

  #all(tenant: TenantId): CustomerRecord[] {
    return [...this.seed.filter((c) => c.tenant === tenant), ...this.ledger.visible().filter((e) => e.tenant === tenant).map(fromLedger)];
  }
}
