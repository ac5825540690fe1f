import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
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

/**
 * Append-only JSONL file of created customer records, reloaded on start so it outlives the
 * process. A reset keeps the lines (they are the audit trail) but hides them from the CRM's
 * screens; the cut-off seq lives in a sidecar file so it survives restarts too.
 */
export class CustomerLedger {
  readonly #path: string;
  readonly #resetPath: string;
  #entries: LedgerEntry[] = [];
  #visibleAfterSeq = 0;
  #needsLeadingNewline = false;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(path: string, onSkippedLine: (lineNo: number) => void = () => {}) {
    this.#path = path;
    this.#resetPath = `${path}.reset.json`;
    mkdirSync(dirname(path), { recursive: true });
    this.#load(onSkippedLine);
  }

  #load(onSkippedLine: (lineNo: number) => void): void {
    const text = existsSync(this.#path) ? readFileSync(this.#path, 'utf8') : '';
    // A crash mid-append can leave a torn last line: skip it and start the next line cleanly.
    this.#needsLeadingNewline = text.length > 0 && !text.endsWith('\n');
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const parsed = LedgerEntrySchema.safeParse(safeJson(line));
      if (parsed.success) this.#entries.push(parsed.data);
      else onSkippedLine(i + 1);
    });
    if (existsSync(this.#resetPath)) {
      const cut = z.object({ visibleAfterSeq: z.number().int().min(0) }).safeParse(safeJson(readFileSync(this.#resetPath, 'utf8')));
      if (cut.success) this.#visibleAfterSeq = cut.data.visibleAfterSeq;
    }
  }

  get lastSeq(): number {
    return this.#entries.at(-1)?.seq ?? 0;
  }

  /** Every line ever written, oldest first, optionally filtered. */
  query(filter: LedgerFilter = {}): LedgerEntry[] {
    return this.#entries.filter(
      (e) =>
        (filter.tenant === undefined || e.tenant === filter.tenant) &&
        (filter.reference === undefined || e.externalReference === filter.reference) &&
        (filter.accountNumber === undefined || e.accountNumber === filter.accountNumber),
    );
  }

  /** Records the CRM screens show (those since the last reset), oldest first. */
  visible(): LedgerEntry[] {
    return this.#entries.filter((e) => e.seq > this.#visibleAfterSeq);
  }

  /**
   * Appends and syncs one line. Appends are serialised so seq numbers stay dense and ordered, and
   * `refuse` runs inside that turn, so a check-then-write (a duplicate account) cannot race.
   */
  append<R>(input: NewLedgerEntry, refuse: () => R | undefined = () => undefined): Promise<{ entry: LedgerEntry } | { refused: R }> {
    const next = this.#tail.then(async () => {
      const refused = refuse();
      if (refused !== undefined) return { refused };
      const seq = this.lastSeq + 1;
      const entry: LedgerEntry = { seq, ...input, recordId: recordIdOf(seq), at: new Date().toISOString() };
      const line = `${this.#needsLeadingNewline ? '\n' : ''}${JSON.stringify(entry)}\n`;
      const file = await open(this.#path, 'a');
      try {
        await file.appendFile(line, 'utf8');
        await file.datasync();
      } finally {
        await file.close();
      }
      this.#needsLeadingNewline = false;
      this.#entries.push(entry);
      return { entry };
    });
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Hides every record so far from the CRM screens; with `clear`, deletes the file too. */
  async reset(clear: boolean): Promise<void> {
    await this.#tail;
    if (clear) {
      rmSync(this.#path, { force: true });
      rmSync(this.#resetPath, { force: true });
      this.#entries = [];
      this.#visibleAfterSeq = 0;
      this.#needsLeadingNewline = false;
      return;
    }
    this.#visibleAfterSeq = this.lastSeq;
    writeFileSync(this.#resetPath, JSON.stringify({ visibleAfterSeq: this.#visibleAfterSeq }) + '\n');
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
