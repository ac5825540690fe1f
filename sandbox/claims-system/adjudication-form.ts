import { parseAmountToCents } from './html';
import type { Decision } from './types';

export interface AdjudicationFormValues {
  decision: string;
  amount: string;
  reason: string;
  reference: string;
}

export type AdjudicationField = keyof AdjudicationFormValues;
export type AdjudicationErrors = Partial<Record<AdjudicationField, string>>;

export interface ValidAdjudication {
  decision: Decision;
  amountCents: number;
  reason: string;
  reference: string;
}

export const MAX_REFERENCE_LENGTH = 120;
const MAX_REASON_LENGTH = 2_000;

export function readFormValues(body: unknown): AdjudicationFormValues {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const field = (name: string): string => (typeof record[name] === 'string' ? (record[name] as string) : '');
  return { decision: field('decision'), amount: field('amount'), reason: field('reason'), reference: field('reference') };
}

/** The client system's own business rules for an adjudication, checked field by field. */
export function validateAdjudication(
  values: AdjudicationFormValues,
  claimedCents: number,
): { ok: true; value: ValidAdjudication } | { ok: false; errors: AdjudicationErrors } {
  const errors: AdjudicationErrors = {};
  const decision = values.decision === 'approve' || values.decision === 'reject' ? values.decision : undefined;
  if (!decision) errors.decision = 'Choose approve or reject.';

  const amountText = values.amount.trim();
  let amountCents: number | undefined = amountText === '' && decision === 'reject' ? 0 : parseAmountToCents(amountText);
  if (amountCents === undefined) {
    errors.amount = 'Enter a non-negative amount with at most 2 decimals.';
  } else if (decision === 'approve' && amountCents > claimedCents) {
    errors.amount = 'The approved amount cannot exceed the claimed amount.';
    amountCents = undefined;
  }

  const reason = values.reason.trim();
  const partial = decision === 'approve' && amountCents !== undefined && amountCents !== claimedCents;
  if (reason === '' && decision === 'reject') errors.reason = 'A reason is required to reject a claim.';
  else if (reason === '' && partial) errors.reason = 'A reason is required when the approved amount differs from the claim.';
  else if (reason.length > MAX_REASON_LENGTH) errors.reason = `Keep the reason under ${MAX_REASON_LENGTH} characters.`;

  const reference = values.reference.trim();
  if (reference === '') errors.reference = 'Your reference is required.';
  else if (reference.length > MAX_REFERENCE_LENGTH) errors.reference = `Your reference must be at most ${MAX_REFERENCE_LENGTH} characters.`;

  if (Object.keys(errors).length > 0 || !decision || amountCents === undefined) return { ok: false, errors };
  return { ok: true, value: { decision, amountCents, reason, reference } };
}
