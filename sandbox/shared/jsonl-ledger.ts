import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/** Every ledger line carries a dense, increasing seq: the order of writes and the reset cut-off. */
export interface SequencedEntry {
  seq: number;
}

const ResetCutSchema = z.object({ visibleAfterSeq: z.number().int().min(0) });

/**
 * The file handling behind each sandbox app's append-only JSONL ledger: reloaded on start so it
 * outlives the process, unreadable lines skipped, appends serialised. A reset keeps the lines (they
 * are the audit trail) but hides them from the app's screens; the cut-off seq lives in a sidecar
 * file so it survives restarts too. The entry schema and the filters stay with each app.
 */
export class JsonlLedger<E extends SequencedEntry> {
  readonly #path: string;
  readonly #resetPath: string;
  readonly #schema: z.ZodType<E>;
  #entries: E[] = [];
  #visibleAfterSeq = 0;
  #needsLeadingNewline = false;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(path: string, schema: z.ZodType<E>, onSkippedLine: (lineNo: number) => void = () => {}) {
    this.#path = path;
    this.#resetPath = `${path}.reset.json`;
    this.#schema = schema;
    mkdirSync(dirname(path), { recursive: true });
    this.#load(onSkippedLine);
  }

  #load(onSkippedLine: (lineNo: number) => void): void {
    const text = existsSync(this.#path) ? readFileSync(this.#path, 'utf8') : '';
    // A crash mid-append can leave a torn last line: skip it and start the next line cleanly.
    this.#needsLeadingNewline = text.length > 0 && !text.endsWith('\n');
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const parsed = this.#schema.safeParse(safeJson(line));
      if (parsed.success) this.#entries.push(parsed.data);
      else onSkippedLine(i + 1);
    });
    if (existsSync(this.#resetPath)) {
      const cut = ResetCutSchema.safeParse(safeJson(readFileSync(this.#resetPath, 'utf8')));
      if (cut.success) this.#visibleAfterSeq = cut.data.visibleAfterSeq;
    }
  }

  get lastSeq(): number {
    return this.#entries.at(-1)?.seq ?? 0;
  }

  /** Every line ever written, oldest first. */
  all(): readonly E[] {
    return this.#entries;
  }

  /** The lines the app's screens show: those since the last reset, oldest first. */
  visible(): E[] {
    return this.#entries.filter((e) => e.seq > this.#visibleAfterSeq);
  }

  /** Appends and syncs the line `build` makes from the next seq. */
  async append(build: (seq: number) => E): Promise<E> {
    const outcome = await this.appendUnless(() => undefined, build);
    if ('refused' in outcome) throw new Error('unreachable: nothing refuses this append');
    return outcome.entry;
  }

  /**
   * Appends and syncs one line unless `refuse` answers something. Appends are serialised so seq
   * numbers stay dense and ordered, and `refuse` runs inside that turn, so a check-then-write cannot race.
   */
  appendUnless<R>(refuse: () => R | undefined, build: (seq: number) => E): Promise<{ entry: E } | { refused: R }> {
    const next = this.#tail.then(async () => {
      const refused = refuse();
      if (refused !== undefined) return { refused };
      const entry = build(this.lastSeq + 1);
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

  /** Hides every line so far from the screens; with `clear`, deletes the file (and the cut-off) too. */
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
