import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addAdminKit } from '../shared/admin-kit';
import { LedgerEntrySchema, type PayrollLedger } from './ledger';
import { PartialQuirksSchema, QuirksSchema, type QuirkState } from './quirks';

export interface AdminDeps {
  ledger: PayrollLedger;
  quirks: QuirkState;
}

/** Test and demo hooks (see addAdminKit) plus this app's `/__ledger`, with its own filters. */
export const adminRoutes: FastifyPluginAsyncZod<AdminDeps> = async (app, { ledger, quirks }) => {
  addAdminKit(app, { ledger, quirks, quirksSchema: QuirksSchema, partialQuirksSchema: PartialQuirksSchema });

  app.get(
    '/__ledger',
    {
      schema: {
        querystring: z.object({
          tenant: z.string().optional(),
          period: z.string().optional(),
          reference: z.string().optional(),
          kind: z.string().optional(),
          employeeId: z.string().optional(),
        }),
        response: { 200: z.object({ entries: z.array(LedgerEntrySchema) }) },
      },
    },
    async (request) => ({ entries: ledger.query(request.query) }),
  );
};
