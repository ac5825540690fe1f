// One document of a DataEntry delivery, as an item of the run's batch: if any field was
// recognised with low confidence (or does not pass the CRM's rules), an operator checks the
// record first; then the bot keys it into the client's CRM exactly once, by reference.
import { botSteps } from '../engine/bot-step';
import { defineItemHandler, ItemSkipped } from '../engine/item-batch';
import { CRM_FIELDS, CrmRecord } from './record';
import { lowConfidenceFields, recognisedRecord } from './documents';
import { correctRecordForm, DATA_ENTRY_TEAM, documentExceptionForm, DocumentItem } from './schema';
import type { DataEntryBots } from './bots';

const bots = botSteps<DataEntryBots>();

export const DOCUMENT_HANDLER = 'data-entry.document';

export const crmCredential = (client: string): string => `${client}/client-crm`;

export const documentHandler = defineItemHandler<DocumentItem>({
  name: DOCUMENT_HANDLER,
  process: 'data-entry',
  data: DocumentItem,
  exceptionForm: documentExceptionForm,
  exceptionTeam: DATA_ENTRY_TEAM,
  title: (item) => `Document ${item.ref}`,
  applyFix: (data, fix) => ({ ...data, verified: CrmRecord.parse(fix) }),
  async run(ctx) {
    const doc = ctx.item.data;
    let record = doc.verified;
    if (!record) {
      const recognised = recognisedRecord({ docRef: ctx.item.ref, fields: doc.fields });
      const parsed = CrmRecord.safeParse(recognised);
      const unsure = lowConfidenceFields({ docRef: ctx.item.ref, fields: doc.fields }, doc.minConfidence);
      if (parsed.success && unsure.length === 0) record = parsed.data;
      else {
        const issues = parsed.success ? [] : parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
        const { decision, decidedBy } = await ctx.humanTask(correctRecordForm, {
          title: `Check document ${ctx.item.ref}: ${[...new Set([...unsure, ...issues.map((i) => i.field)])].join(', ')}`,
          team: DATA_ENTRY_TEAM,
          priority: 3,
          context: {
            docRef: ctx.item.ref,
            recognised,
            confidence: Object.fromEntries(CRM_FIELDS.map((f) => [f, doc.fields[f].confidence])),
            lowConfidence: unsure,
            issues,
          },
        });
        if (decision.action === 'reject') throw new ItemSkipped(decision.data.reason, decidedBy.operatorId);
        record = decision.data.record;
      }
    }
    await ctx.bot('enterCrmRecord', bots.enterCrmRecord, {
      client: ctx.batch.client,
      credential: crmCredential(ctx.batch.client),
      record,
      reference: ctx.reference('record'),
    });
  },
});
