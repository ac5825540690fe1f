// DataEntry's types, defined once: the API validates starts with DataEntryInput, the workflow
// re-checks it, the task forms drive the Update validators and the inbox's rendered forms.
import { z } from 'zod';
import { ClientId } from '../engine/common-schemas';
import { defineTaskForm } from '../engine/task-form';
import { itemExceptionForm } from '../engine/item-batch';
import { CrmRecord } from './record';
import { DataEntryDocument, documentsFromCsv, recognisedRecord } from './documents';

export const DEFAULT_MIN_CONFIDENCE = 0.85;

export const DataEntryInput = z
  .object({
    client: ClientId,
    batchKey: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'A batch key is 1–64 letters, digits, . _ or -')
      .describe('Names this delivery of documents (e.g. mailroom-2026-11-22); re-running the same key skips documents already keyed'),
    documents: z.array(DataEntryDocument).min(1).max(20_000).optional().describe('The documents as JSON'),
    csv: z.string().min(1).max(5_000_000).optional().describe('The documents as CSV: docRef, then <field> and <field>_confidence per field'),
    minConfidence: z.number().min(0).max(1).optional().describe(`Fields recognised with less confidence go to an operator; default ${DEFAULT_MIN_CONFIDENCE}`),
    concurrency: z.number().int().min(1).max(32).optional().describe('Documents keyed at once; default 4'),
  })
  .strict()
  .superRefine((input, ctx) => {
    if ((input.documents === undefined) === (input.csv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['documents'], message: 'Give the documents either as JSON (documents) or as CSV (csv), not both' });
    }
    // Each document is an item of the run's batch, found by its reference: two of one reference would be refused there.
    const seen = new Map<string, number>();
    input.documents?.forEach((doc, index) => {
      const first = seen.get(doc.docRef);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['documents', index, 'docRef'], message: `${doc.docRef} is already document ${first}` });
      else seen.set(doc.docRef, index);
    });
    if (input.csv !== undefined) {
      const { documents, problems } = documentsFromCsv(input.csv);
      for (const p of problems.slice(0, 20)) ctx.addIssue({ code: 'custom', path: ['csv'], message: `Row ${p.row}: ${p.message}` });
      if (problems.length === 0 && documents.length === 0) ctx.addIssue({ code: 'custom', path: ['csv'], message: 'The CSV has no documents' });
      documents.forEach((doc, index) => {
        const first = seen.get(doc.docRef);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['csv'], message: `Row ${index + 2}: ${doc.docRef} is already on row ${first + 2}` });
        else seen.set(doc.docRef, index);
      });
    }
  });
export type DataEntryInput = z.infer<typeof DataEntryInput>;

/** One document as an item of the batch: the recognised fields, and the record once a person verified it. */
export const DocumentItem = DataEntryDocument.omit({ docRef: true })
  .extend({
    minConfidence: z.number().min(0).max(1),
    verified: CrmRecord.optional().describe('The record as a person corrected it; keyed as it is'),
  })
  .strict();
export type DocumentItem = z.infer<typeof DocumentItem>;

/** Operators who check low-confidence fields and resolve the bot's failures. */
export const DATA_ENTRY_TEAM = 'data-entry';

export const correctRecordForm = defineTaskForm({
  kind: 'data-entry.correct-record',
  title: 'Check a document’s record',
  decision: z.discriminatedUnion('action', [
    z.object({ action: z.literal('correct'), data: z.object({ record: CrmRecord }).strict() }),
    z.object({ action: z.literal('reject'), data: z.object({ reason: z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500) }).strict() }),
  ]),
});

/** The CRM refused the record (or the bot failed): fix-and-retry takes the corrected record. */
export const documentExceptionForm = itemExceptionForm(
  'data-entry.document-exception',
  'Resolve a document the bot could not key',
  CrmRecord,
  // The record the bot tried to key: the one an operator verified, else what was recognised.
  (doc: DocumentItem) => doc.verified ?? recognisedRecord({ docRef: '', fields: doc.fields }),
);

export interface DataEntryOutcome {
  kind: 'keyed';
  batchId: string;
  documents: number;
  counts: Record<string, number>;
  skippedFromEarlierRun: number;
}
