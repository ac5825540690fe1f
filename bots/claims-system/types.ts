export interface ClaimsSystemCredentials {
  username: string;
  password: string;
}

export type ClaimStatus = 'open' | 'adjudicated';

export interface ClaimRecord {
  claimRef: string;
  memberId: string;
  memberName: string;
  /** ICD-10 code as shown, e.g. `J45.909`. */
  diagnosisCode: string;
  amountCents: number;
  status: ClaimStatus;
  /** ISO date `YYYY-MM-DD`. */
  submittedOn: string;
}

export type AdjudicationDecision = 'approve' | 'reject';

export interface AdjudicationInput {
  decision: AdjudicationDecision;
  /** Approved amount; 0 for a rejection. */
  amountCents: number;
  reason: string;
  /** Our own idempotency reference, written into the client system's "your reference" field. */
  reference: string;
}

export interface AdjudicationRecord {
  reference: string;
  decision: AdjudicationDecision;
  amountCents: number;
  reason: string;
  /** The client system's confirmation number, e.g. `ADJ-000123`. */
  confirmation: string;
  /** Set when the adjudication was reversed: the reversal's confirmation (`REV-…`) and "your reference". */
  reversal?: { confirmation: string; reference: string };
}

export interface ReversalInput {
  reason: string;
  /** Our idempotency reference for the reversal, written into its "your reference" field. */
  reference: string;
}
