import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addAdminKit } from '../shared/admin-kit';
import type { CustomerLedger } from './ledger';
import { PartialQuirksSchema, QuirksSchema, type QuirkState } from './quirks';

export interface AdminDeps {
  ledger: CustomerLedger;
  quirks: QuirkState;
}

const LedgerEntryJson = z.object({
  seq: z.number(),
  tenant: z.string(),
  recordId: z.string(),
  externalReference: z.string(),
  accountNumber: z.string(),
  fields: z.object({
    firstName: z.string(),
    lastName: z.string(),
    email: z.string(),
    phone: z.string(),
    postcode: z.string(),
    dateOfBirth: z.string(),
    accountNumber: z.string(),
  }),
  at: z.string(),
});

/** Test and demo hooks (see addAdminKit) plus this app's `/__ledger`, with its own filters. */
export const adminRoutes: FastifyPluginAsyncZod<AdminDeps> = async (app, { ledger, quirks }) => {
  addAdminKit(app, { ledger, quirks, quirksSchema: QuirksSchema, partialQuirksSchema: PartialQuirksSchema });

  app.get(
    '/__ledger',
    {
      schema: {
        querystring: z.object({ tenant: z.string().optional(), reference: z.string().optional(), accountNumber: z.string().optional() }),
        response: { 200: z.object({ entries: z.array(LedgerEntryJson) }) },
      },
    },
    async (request) => ({ entries: ledger.query(request.query) }),
  );
};
