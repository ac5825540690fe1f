import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LedgerEntrySchema, type PayrollLedger } from './ledger';
import { PartialQuirksSchema, QuirksSchema, type QuirkState } from './quirks';

export interface AdminDeps {
  ledger: PayrollLedger;
  quirks: QuirkState;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

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

  app.get('/__admin/quirks', { schema: { response: { 200: QuirksSchema } } }, async () => quirks.current);

  app.post('/__admin/quirks', { schema: { body: PartialQuirksSchema, response: { 200: QuirksSchema } } }, async (request) =>
    quirks.update(request.body),
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
