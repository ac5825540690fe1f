import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CustomerLedger } from './ledger';
import { PartialQuirksSchema, QuirksSchema, type QuirkState } from './quirks';

export interface AdminDeps {
  ledger: CustomerLedger;
  quirks: QuirkState;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

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

/** Test and demo hooks: JSON, no session, refused to anything but loopback callers. */
export const adminRoutes: FastifyPluginAsyncZod<AdminDeps> = async (app, { ledger, quirks }) => {
  app.addHook('onRequest', async (request, reply) => {
    if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      return reply.code(403).send({ error: 'Forbidden', message: 'admin endpoints answer loopback callers only' });
    }
  });

  app.get('/__health', { schema: { response: { 200: z.object({ ok: z.literal(true), lastSeq: z.number() }) } } }, async () => ({
    ok: true as const,
    lastSeq: ledger.lastSeq,
  }));

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

  app.get('/__admin/quirks', { schema: { response: { 200: QuirksSchema } } }, async () => quirks.current);

  app.post(
    '/__admin/quirks',
    { schema: { body: PartialQuirksSchema, response: { 200: QuirksSchema } } },
    async (request) => quirks.update(request.body),
  );

  app.post(
    '/__admin/reset',
    {
      schema: {
        body: z.object({ ledger: z.boolean().default(false) }).strict().nullish(),
        response: { 200: z.object({ ok: z.literal(true), ledgerCleared: z.boolean() }) },
      },
    },
    async (request) => {
      const clear = request.body?.ledger ?? false;
      await ledger.reset(clear);
      return { ok: true as const, ledgerCleared: clear };
    },
  );
};
