export type TenantId = 'acme-health' | 'globex-insurance';

export interface SeedLogin {
  username: string;
  password: string;
  tenant: TenantId;
  displayName: string;
  /** Bots log in with service accounts; humans share the same screens. */
  kind: 'bot' | 'human';
}

export interface SeedClaim {
  tenant: TenantId;
  claimRef: string;
  memberId: string;
  memberName: string;
  /** ICD-10 code, e.g. `J45.909`. */
  diagnosisCode: string;
  amountCents: number;
  /** ISO date `YYYY-MM-DD`. */
  submittedOn: string;
}

export type Decision = 'approve' | 'reject';

/** One line of the JSONL ledger: the system of record for adjudications. */
export interface LedgerEntry {
  seq: number;
  tenant: TenantId;
  claimRef: string;
  decision: Decision;
  amountCents: number;
  reason: string;
  /** The submitter's own reference ("your reference"): what bots check before submitting again. */
  reference: string;
  confirmation: string;
  /** ISO timestamp. */
  at: string;
  /** Set on a reversal: the confirmation of the adjudication it reverses (its own is `REV-…`). */
  reverses?: string;
}

/** An adjudication as the claim screen shows it: with its reversal, when it was reversed. */
export interface ShownAdjudication extends LedgerEntry {
  reversal?: LedgerEntry;
}

export interface ClaimView extends SeedClaim {
  /** Adjudicated while any adjudication stands; a claim whose adjudications were all reversed is open again. */
  status: 'open' | 'adjudicated';
  adjudications: ShownAdjudication[];
}
