// Documents stand in for scanned forms: each field as recognised, with the recogniser's
// confidence. They arrive as JSON or as CSV (one row a document, a `<field>` and a
// `<field>_confidence` column per field). Pure and workflow-safe.
import { z } from 'zod';
import { CRM_FIELDS, type CrmRecord } from './record';
import { ITEM_REF_PATTERN } from '../engine/batch-messages';

export const RecognisedField = z
  .object({
    value: z.string().max(500),
    confidence: z.number().min(0).max(1).describe('How sure the recogniser is of this value, 0–1'),
  })
  .strict();

export const DataEntryDocument = z
  .object({
    docRef: z.string().regex(ITEM_REF_PATTERN, 'A document reference is 1–128 letters, digits, . _ : or -').describe('The document’s unique reference'),
    fields: z.object(Object.fromEntries(CRM_FIELDS.map((f) => [f, RecognisedField])) as Record<keyof CrmRecord, typeof RecognisedField>).strict(),
  })
  .strict();
export type DataEntryDocument = z.infer<typeof DataEntryDocument>;

export interface CsvProblem {
  row: number;
  message: string;
}

/** Splits CSV text (RFC 4180 quoting) into rows of cells. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = (): void => {
    row.push(cell);
    cell = '';
  };
  const endRow = (): void => {
    endCell();
    if (row.some((v) => v.trim() !== '')) rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endCell();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else cell += c;
  }
  endRow();
  return rows;
}

/** The documents of a CSV export, or what is wrong with it (row 1 is the header). */
export function documentsFromCsv(text: string): { documents: DataEntryDocument[]; problems: CsvProblem[] } {
  const [header, ...rows] = csvRows(text);
  const problems: CsvProblem[] = [];
  if (!header) return { documents: [], problems: [{ row: 1, message: 'The CSV is empty' }] };
  const column = (name: string): number => header.findIndex((h) => h.trim() === name);
  const needed = ['docRef', ...CRM_FIELDS.flatMap((f) => [f, `${f}_confidence`])];
  const missing = needed.filter((name) => column(name) < 0);
  if (missing.length > 0) return { documents: [], problems: [{ row: 1, message: `Missing columns: ${missing.join(', ')}` }] };
  const documents: DataEntryDocument[] = [];
  rows.forEach((cells, index) => {
    const cell = (name: string): string => (cells[column(name)] ?? '').trim();
    const candidate = {
      docRef: cell('docRef'),
      fields: Object.fromEntries(CRM_FIELDS.map((f) => [f, { value: cell(f), confidence: Number(cell(`${f}_confidence`) || Number.NaN) }])),
    };
    const parsed = DataEntryDocument.safeParse(candidate);
    if (parsed.success) documents.push(parsed.data);
    else problems.push({ row: index + 2, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  });
  return { documents, problems };
}

/** The fields the recogniser was not sure enough of. */
export function lowConfidenceFields(document: DataEntryDocument, minConfidence: number): (keyof CrmRecord)[] {
  return CRM_FIELDS.filter((f) => document.fields[f].confidence < minConfidence);
}

/** The record as recognised, before anyone looked at it. */
export function recognisedRecord(document: DataEntryDocument): Record<keyof CrmRecord, string> {
  return Object.fromEntries(CRM_FIELDS.map((f) => [f, document.fields[f].value])) as Record<keyof CrmRecord, string>;
}
