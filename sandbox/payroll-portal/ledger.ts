import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
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
 * Append-only JSONL file of adjustments and payroll submissions, reloaded on start so it outlives
 * the process. Naive on purpose: the same write twice is two lines, which is how tests prove a bot
 * wrote once. A reset keeps the lines (the audit trail) but hides them from the screens; the cut-off
 * seq lives in a sidecar file so it survives restarts too.
 */
export class PayrollLedger {
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
        (filter.period === undefined || e.period === filter.period) &&
        (filter.reference === undefined || e.reference === filter.reference) &&
        (filter.kind === undefined || e.kind === filter.kind) &&
        (filter.employeeId === undefined || e.employeeId === filter.employeeId),
    );
  }

  /** What the screens show of a tenant's period (everything since the last reset). */
  visibleFor(tenant: TenantId, period: string): LedgerEntry[] {
    return this.#entries.filter((e) => e.seq > this.#visibleAfterSeq && e.tenant === tenant && e.period === period);
  }

  /** Appends and syncs one line; appends are serialised so seq numbers stay dense and ordered. */
  append(input: NewLedgerEntry): Promise<LedgerEntry> {
    const next = this.#tail.then(async () => {
      const seq = this.lastSeq + 1;
      const prefix = input.kind === 'submission' ? 'RUN' : 'PAY';
      const entry: LedgerEntry = { seq, ...input, confirmation: `${prefix}-${String(seq).padStart(6, '0')}`, at: new Date().toISOString() };
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
      return entry;
    });
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Hides everything so far from the screens; with `clear`, deletes the file too. */
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
