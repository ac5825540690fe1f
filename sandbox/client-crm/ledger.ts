import { z } from 'zod';
import { JsonlLedger } from '../shared/jsonl-ledger';
import type { LedgerEntry } from './types';

const FieldsSchema = z.object({
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  phone: z.string(),
  postcode: z.string(),
  dateOfBirth: z.string(),
  accountNumber: z.string(),
});

const LedgerEntrySchema = z.object({
  seq: z.number().int().positive(),
  tenant: z.enum(['acme-health', 'globex-insurance']),
  recordId: z.string(),
  externalReference: z.string(),
  accountNumber: z.string(),
  fields: FieldsSchema,
  at: z.string(),
});

export type NewLedgerEntry = Omit<LedgerEntry, 'seq' | 'recordId' | 'at'>;

export interface LedgerFilter {
  tenant?: string;
  reference?: string;
  accountNumber?: string;
}

/** Record ids of created customers; seeded ones use `CR-1…`/`CR-2…`, so these never collide. */
export function recordIdOf(seq: number): string {
  return `CR-${String(seq).padStart(6, '0')}`;
}

/** Append-only JSONL file of created customer records (the shared ledger file handling, see JsonlLedger). */
export class CustomerLedger {
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
          (filter.reference === undefined || e.externalReference === filter.reference) &&
          (filter.accountNumber === undefined || e.accountNumber === filter.accountNumber),
      );
  }

  /** Records the CRM screens show (those since the last reset), oldest first. */
  visible(): LedgerEntry[] {
    return this.#file.visible();
  }

  /**
   * Appends and syncs one record unless `refuse` answers (a duplicate account): the check runs in
   * the ledger's serialised turn, so a check-then-write cannot race.
   */
  append<R>(input: NewLedgerEntry, refuse: () => R | undefined = () => undefined): Promise<{ entry: LedgerEntry } | { refused: R }> {
    return this.#file.appendUnless(refuse, (seq) => ({ seq, ...input, recordId: recordIdOf(seq), at: new Date().toISOString() }));
  }

  /** Hides every record so far from the CRM screens; with `clear`, deletes the file too. */
  reset(clear: boolean): Promise<void> {
    return this.#file.reset(clear);
  }
}
