import { z } from 'zod';
import { JsonlLedger } from '../shared/jsonl-ledger';
import type { LedgerEntry, TenantId } from './types';

export const LedgerEntrySchema = z.object({
  seq: z.number().int().positive(),
  tenant: z.enum(['acme-health', 'globex-insurance', 'initech']),
  period: z.string(),
  kind: z.enum(['overtime', 'bonus', 'correction', 'submission']),
  employeeId: z.string().nullable(),
  hours: z.number(),
  amountCents: z.number().int(),
  note: z.string(),
  reference: z.string(),
  confirmation: z.string(),
  at: z.string(),
});

export type NewLedgerEntry = Omit<LedgerEntry, 'seq' | 'confirmation' | 'at'>;

export interface LedgerFilter {
  tenant?: string;
  period?: string;
  reference?: string;
  kind?: string;
  employeeId?: string;
}

/**
 * Append-only JSONL file of adjustments and payroll submissions (file handling in JsonlLedger).
 * Naive on purpose: the same write twice is two lines, which is how tests prove a bot wrote once.
 */
export class PayrollLedger {
  readonly #file: JsonlLedger<LedgerEntry>;

  constructor(path: string, onSkippedLine: (lineNo: number) => void = () => {}) {
    this.#file = new JsonlLedger(path, LedgerEntrySchema, onSkippedLine);
  }

  get lastSeq(): number {
    return this.#file.lastSeq;
  }

  /** Every line ever written, oldest first, optionally filtered. */
  query(filter: LedgerFilter = {}): LedgerEntry[] {
    return this.#file
      .all()
      .filter(
        (e) =>
          (filter.tenant === undefined || e.tenant === filter.tenant) &&
          (filter.period === undefined || e.period === filter.period) &&
          (filter.reference === undefined || e.reference === filter.reference) &&
          (filter.kind === undefined || e.kind === filter.kind) &&
          (filter.employeeId === undefined || e.employeeId === filter.employeeId),
      );
  }

  /** What the screens show of a tenant's period (everything since the last reset). */
  visibleFor(tenant: TenantId, period: string): LedgerEntry[] {
    return this.#file.visible().filter((e) => e.tenant === tenant && e.period === period);
  }

  /** Appends and syncs one line; a submission's confirmation reads RUN-…, an adjustment's PAY-…. */
  append(input: NewLedgerEntry): Promise<LedgerEntry> {
    const prefix = input.kind === 'submission' ? 'RUN' : 'PAY';
    return this.#file.append((seq) => ({ seq, ...input, confirmation: `${prefix}-${String(seq).padStart(6, '0')}`, at: new Date().toISOString() }));
  }

  /** Hides everything so far from the screens; with `clear`, deletes the file too. */
  reset(clear: boolean): Promise<void> {
    return this.#file.reset(clear);
  }
}
