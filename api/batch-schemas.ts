// Shapes of the item-batch routes, defined once in zod: they validate requests at the edge,
// serialise the replies and generate the OpenAPI document. Payload types come from the batch's
// messages (workflows/engine/batch-messages.ts), so a drift between the two fails the typecheck.
import { z } from 'zod';
import { ITEM_REF_PATTERN, ITEM_STATUSES, type ItemStatus } from '../workflows/engine/batch-messages';
import { RunStatus } from './schemas';

const Iso = z.string().describe('ISO 8601 timestamp');
const IsoInput = z.iso.datetime({ offset: true, message: 'An ISO 8601 timestamp with a time zone, e.g. 2026-05-01T08:00:00Z' });

export const ItemRef = z
  .string()
  .regex(ITEM_REF_PATTERN, 'Letters, digits and . _ : - (at most 128), starting with a letter or digit')
  .describe('The item’s business reference, unique within its batch (an employee id, a document number)');

export const ItemStatusSchema = z.enum(ITEM_STATUSES as [ItemStatus, ...ItemStatus[]]);

export const BatchIdParam = z.object({
  batchId: z
    .string()
    .min(1)
    .max(250)
    .regex(/^[A-Za-z0-9._:-]+$/, 'Not a batch id')
    .describe('`<process>.batch.<client>.<batchKey>`, as the run that started the batch lists it'),
});
export const ItemParams = BatchIdParam.extend({ ref: ItemRef });

export const ItemView = z.object({
  ref: z.string(),
  status: ItemStatusSchema,
  attempts: z.number().int().describe('How many times the item’s work was started'),
  notBefore: Iso.optional().describe('Postponed: not tried before this time'),
  itemRunId: z.string().optional().describe('The item’s own run, once a human had to look at it (GET /runs/{runId})'),
  lastFailure: z
    .object({
      kind: z.enum(['business', 'system']),
      code: z.string(),
      message: z.string(),
      evidence: z.object({ screenshot: z.string().optional(), trace: z.string().optional() }).optional(),
    })
    .optional(),
  resolution: z.object({ by: z.string(), note: z.string().optional() }).optional().describe('Who skipped it or completed it by hand'),
});

const Counts = z.object(Object.fromEntries(ITEM_STATUSES.map((s) => [s, z.number().int()])) as Record<ItemStatus, z.ZodNumber>);

export const BatchProgress = z.object({
  batchId: z.string(),
  batchKey: z.string(),
  client: z.string(),
  process: z.string(),
  // Both absent only when a finished batch is read from its summary (no worker to replay it).
  handler: z.string().optional().describe('The registered item handler doing each item’s work'),
  phase: z.enum(['running', 'completed', 'cancelled']),
  startedAt: Iso,
  counts: Counts.describe('Items known to the batch, by status'),
  total: z.number().int(),
  concurrency: z.number().int().optional().describe('Items worked at once'),
  generation: z.number().int().describe('This run’s position in the continue-as-new chain (1 = first run)'),
  skippedFromEarlierRun: z.number().int().describe('Items already done in an earlier batch with the same key, not processed again'),
  attended: z.array(ItemView).describe('Items a human has to look at, oldest first (at most 100)'),
});

export const BatchView = BatchProgress.extend({
  status: RunStatus.describe('The batch workflow’s own status'),
  closedAt: Iso.optional(),
});

export const ItemsQueryString = z.object({
  status: ItemStatusSchema.optional(),
  after: ItemRef.optional().describe('The previous page’s `next`'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ItemsPage = z.object({
  items: z.array(ItemView),
  next: z.string().optional().describe('Pass as `after` for the next page; absent on the last page'),
});

export const MAX_ITEMS_PER_CALL = 1000;

export const EnqueueItemsBody = z
  .object({
    items: z
      .array(
        z
          .object({
            ref: ItemRef,
            data: z.record(z.string(), z.unknown()).describe('The item’s fields, checked by the batch’s handler (422 naming the field when wrong)'),
            notBefore: IsoInput.optional().describe('Not before this time: the item waits until then'),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_ITEMS_PER_CALL),
  })
  .strict();

export const EnqueueItemsReply = z.object({
  accepted: z.number().int().describe('Items added by this call'),
  total: z.number().int().describe('Items in the batch now'),
});

export const PostponeBody = z
  .object({
    until: IsoInput.refine((until) => Date.parse(until) > Date.now(), 'Must be in the future').describe('Try the item again at this time (in the future)'),
  })
  .strict();

/** One duplicate of an enqueue call refused with 409: where it is in the request and where the batch has it. */
export const DuplicateItem = z.object({
  index: z.number().int(),
  ref: z.string(),
  status: z.union([ItemStatusSchema, z.literal('repeated-in-request')]).describe('The existing item’s status, or `repeated-in-request`'),
  field: z.string().describe('`body.items.<index>.ref`'),
});
