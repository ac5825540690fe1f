// DataEntry: a delivery of documents (structured JSON or CSV standing in for scanned forms) keyed
// into a client's CRM by a bot, as one item batch. Documents with low-confidence fields go to an
// operator first; the bot enters the corrected record; refusals come back to an operator.
import { ApplicationFailure } from '@temporalio/workflow';
import { ProcessRun } from '../engine/process-run';
import { documentsFromCsv } from './documents';
import { DOCUMENT_HANDLER } from './document-handler';
import { DataEntryInput, DEFAULT_MIN_CONFIDENCE, type DataEntryOutcome } from './schema';

export async function dataEntry(rawInput: DataEntryInput): Promise<DataEntryOutcome> {
  const parsed = DataEntryInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable('Invalid DataEntry input', 'InvalidInput', parsed.error.issues);
  const input = parsed.data;
  const run = new ProcessRun({ process: 'data-entry', client: input.client, businessRef: input.batchKey, sla: { withinMs: 24 * 3600_000 } });
  const documents = input.documents ?? documentsFromCsv(input.csv!).documents;
  const minConfidence = input.minConfidence ?? DEFAULT_MIN_CONFIDENCE;

  return run.execute(async () => {
    run.step('key-documents');
    const batch = await run.itemBatch({
      handler: DOCUMENT_HANDLER,
      batchKey: input.batchKey,
      items: documents.map((d) => ({ ref: d.docRef, data: { fields: d.fields, minConfidence } })),
      concurrency: input.concurrency,
    });
    return { kind: 'keyed', batchId: batch.batchId, documents: documents.length, counts: batch.counts, skippedFromEarlierRun: batch.skippedFromEarlierRun };
  });
}
