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
  reverses: z.string().optional().describe('On a reversal: the confirmation of the adjudication it reverses'),
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

  // What a clerk at the client enters by hand in the claims system, outside any bot: tests use it
  // to have someone get to a claim first.
  app.post(
    '/__admin/adjudications',
    {
      schema: {
        body: z.object({
          tenant: z.enum(['acme-health', 'globex-insurance']),
          claimRef: z.string(),
          decision: z.enum(['approve', 'reject']),
          amountCents: z.number().int().min(0),
          reason: z.string().default('Entered by hand'),
          reference: z.string().default('manual'),
        }),
        response: { 201: LedgerEntryJson },
      },
    },
    async (request, reply) => reply.code(201).send(await ledger.append(request.body)),
  );
};
