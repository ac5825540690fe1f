import { z } from 'zod';
import { JsonlLedger } from '../shared/jsonl-ledger';
import type { LedgerEntry, TenantId } from './types';

const LedgerEntrySchema = z.object({
  seq: z.number().int().positive(),
  tenant: z.enum(['acme-health', 'globex-insurance']),
  claimRef: z.string(),
  decision: z.enum(['approve', 'reject']),
  amountCents: z.number().int().min(0),
  reason: z.string(),
  reference: z.string(),
  confirmation: z.string(),
  at: z.string(),
  reverses: z.string().optional(),
});

export type NewLedgerEntry = Omit<LedgerEntry, 'seq' | 'confirmation' | 'at'>;

export interface LedgerFilter {
  tenant?: string;
  claimRef?: string;
  reference?: string;
}

/** Append-only JSONL file of adjudications (the shared ledger file handling, see JsonlLedger). */
export class AdjudicationLedger {
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
          (filter.claimRef === undefined || e.claimRef === filter.claimRef) &&
          (filter.reference === undefined || e.reference === filter.reference),
      );
  }

  /** Adjudications the claim screens show (those since the last claims reset). */
  visibleFor(tenant: TenantId, claimRef: string): LedgerEntry[] {
    return this.#file.visible().filter((e) => e.tenant === tenant && e.claimRef === claimRef);
  }

  /** Appends and syncs one adjudication; its confirmation number is its seq. */
  append(input: NewLedgerEntry): Promise<LedgerEntry> {
    return this.#file.append((seq) => ({
      seq,
      ...input,
      confirmation: `${input.reverses ? 'REV' : 'ADJ'}-${String(seq).padStart(6, '0')}`,
      at: new Date().toISOString(),
    }));
  }

  /** Hides every adjudication so far from the claim screens; with `clear`, deletes the file too. */
  reset(clear: boolean): Promise<void> {
    return this.#file.reset(clear);
  }
}
