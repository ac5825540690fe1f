import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addAdminKit } from '../shared/admin-kit';
import type { AdjudicationLedger } from './ledger';
import { PartialQuirksSchema, QuirksSchema, type QuirkState } from './quirks';

export interface AdminDeps {
  ledger: AdjudicationLedger;
  quirks: QuirkState;
}

const LedgerEntryJson = z.object({
  seq: z.number(),
  tenant: z.string(),
  claimRef: z.string(),
  decision: z.enum(['approve', 'reject']),
  amountCents: z.number(),
  reason: z.string(),
  reference: z.string(),
  confirmation: z.string(),
  at: z.string(),
});

/** Test and demo hooks (see addAdminKit) plus this app's `/__ledger`, with its own filters. */
export const adminRoutes: FastifyPluginAsyncZod<AdminDeps> = async (app, { ledger, quirks }) => {
  addAdminKit(app, { ledger, quirks, quirksSchema: QuirksSchema, partialQuirksSchema: PartialQuirksSchema });

  app.get(
    '/__ledger',
    {
      schema: {
        querystring: z.object({ tenant: z.string().optional(), claimRef: z.string().optional(), reference: z.string().optional() }),
        response: { 200: z.object({ entries: z.array(LedgerEntryJson) }) },
      },
    },
    async (request) => ({ entries: ledger.query(request.query) }),
  );
};
