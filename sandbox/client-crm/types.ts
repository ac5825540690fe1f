export type TenantId = 'acme-health' | 'globex-insurance';

export interface SeedLogin {
  username: string;
  password: string;
  tenant: TenantId;
  displayName: string;
  /** Bots log in with service accounts; humans share the same screens. */
  kind: 'bot' | 'human';
}

/** What a clerk types into the new-customer form (besides the external reference). */
export interface CustomerFields {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  /** UK postcode (`SW1A 1AA`) or 5-digit ZIP, stored upper-case. */
  postcode: string;
  /** ISO date `YYYY-MM-DD`, in the past. */
  dateOfBirth: string;
  /** `AC-` + 6 digits; unique within a tenant. */
  accountNumber: string;
}

export const CUSTOMER_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'postcode', 'dateOfBirth', 'accountNumber'] as const satisfies readonly (keyof CustomerFields)[];

export interface CustomerRecord extends CustomerFields {
  tenant: TenantId;
  /** The CRM's own id, e.g. `CR-100004` (seeded) or `CR-000012` (created here). */
  recordId: string;
  /** The submitter's own reference: what bots search for before creating a record again. */
  externalReference: string;
  /** ISO timestamp. */
  createdAt: string;
}

/** One line of the JSONL ledger: every record ever created, duplicates included. */
export interface LedgerEntry {
  seq: number;
  tenant: TenantId;
  recordId: string;
  externalReference: string;
  accountNumber: string;
  fields: CustomerFields;
  /** ISO timestamp. */
  at: string;
}
