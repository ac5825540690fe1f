import { parseAmountToCents, parseHours } from './money';
import type { AdjustmentKind } from './types';

export interface AdjustmentFormValues {
  kind: string;
  hours: string;
  amount: string;
  note: string;
  reference: string;
}

export type AdjustmentField = keyof AdjustmentFormValues;
export type AdjustmentErrors = Partial<Record<AdjustmentField, string>>;

export interface ValidAdjustment {
  kind: AdjustmentKind;
  hours: number;
  amountCents: number;
  note: string;
  reference: string;
}

export const MAX_REFERENCE_LENGTH = 120;
export const MAX_OVERTIME_HOURS = 60;
const MAX_NOTE_LENGTH = 500;
const MAX_AMOUNT_CENTS = 5_000_000;
const KINDS: readonly string[] = ['overtime', 'bonus', 'correction'];

export const EMPTY_ADJUSTMENT: AdjustmentFormValues = { kind: '', hours: '', amount: '', note: '', reference: '' };

export function readAdjustmentValues(body: unknown): AdjustmentFormValues & { confirmToken: string } {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const field = (name: string): string => (typeof record[name] === 'string' ? (record[name] as string) : '');
  return { kind: field('kind'), hours: field('hours'), amount: field('amount'), note: field('note'), reference: field('reference'), confirmToken: field('confirmToken') };
}

function checkHours(kind: AdjustmentKind | undefined, text: string): { hours?: number; error?: string } {
  const hours = text.trim() === '' && kind !== 'overtime' ? 0 : parseHours(text);
  if (hours === undefined) return { error: 'Enter hours as a number with at most 2 decimals.' };
  if (kind === 'overtime' && (hours <= 0 || hours > MAX_OVERTIME_HOURS)) return { error: `Overtime must be more than 0 and at most ${MAX_OVERTIME_HOURS} hours.` };
  if (kind !== 'correction' && hours < 0) return { error: 'Hours cannot be negative.' };
  if (Math.abs(hours) > MAX_OVERTIME_HOURS) return { error: `At most ${MAX_OVERTIME_HOURS} hours per adjustment.` };
  return { hours };
}

function checkAmount(kind: AdjustmentKind | undefined, text: string): { amountCents?: number; error?: string } {
  const amountCents = parseAmountToCents(text);
  if (amountCents === undefined) return { error: 'Enter an amount with at most 2 decimals.' };
  if (Math.abs(amountCents) > MAX_AMOUNT_CENTS) return { error: 'Adjustments above 50,000.00 need a manual payroll run.' };
  if (kind === 'correction' && amountCents === 0) return { error: 'A correction cannot be zero.' };
  if (kind !== 'correction' && amountCents <= 0) return { error: 'The amount must be positive.' };
  return { amountCents };
}

/** The portal's own rules for a pay adjustment, checked field by field. */
export function validateAdjustment(values: AdjustmentFormValues): { ok: true; value: ValidAdjustment } | { ok: false; errors: AdjustmentErrors } {
  const errors: AdjustmentErrors = {};
  const kind = KINDS.includes(values.kind) ? (values.kind as AdjustmentKind) : undefined;
  if (!kind) errors.kind = 'Choose overtime, bonus or correction.';
  const hours = checkHours(kind, values.hours);
  if (hours.error) errors.hours = hours.error;
  const amount = checkAmount(kind, values.amount);
  if (amount.error) errors.amount = amount.error;

  const note = values.note.trim();
  if (note === '' && kind === 'correction') errors.note = 'Explain the correction.';
  else if (note.length > MAX_NOTE_LENGTH) errors.note = `Keep the note under ${MAX_NOTE_LENGTH} characters.`;

  const reference = values.reference.trim();
  if (reference === '') errors.reference = 'Your reference is required.';
  else if (reference.length > MAX_REFERENCE_LENGTH) errors.reference = `Your reference must be at most ${MAX_REFERENCE_LENGTH} characters.`;

  if (Object.keys(errors).length > 0 || !kind || hours.hours === undefined || amount.amountCents === undefined) return { ok: false, errors };
  return { ok: true, value: { kind, hours: hours.hours, amountCents: amount.amountCents, note, reference } };
}
