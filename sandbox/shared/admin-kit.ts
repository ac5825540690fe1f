// The test and demo hooks every sandbox app answers the same way; each app adds its own `/__ledger`
// (its entries and filters differ) next to these, inside the same loopback fence.
import type { FastifyInstance, FastifyBaseLogger, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

type ZodApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface AdminKitOptions<Q extends object> {
  ledger: { readonly lastSeq: number; reset(clear: boolean): Promise<void> };
  quirks: { readonly current: Q; update(patch: Partial<Q>): Q };
  quirksSchema: z.ZodType<Q>;
  partialQuirksSchema: z.ZodType<Partial<Q>>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** JSON, no session, refused to anything but loopback callers: `/__health`, `/__admin/quirks`, `/__admin/reset`. */
export function addAdminKit<Q extends object>(app: ZodApp, { ledger, quirks, quirksSchema, partialQuirksSchema }: AdminKitOptions<Q>): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      return reply.code(403).send({ error: 'Forbidden', message: 'admin endpoints answer loopback callers only' });
    }
  });

  app.get('/__health', { schema: { response: { 200: z.object({ ok: z.literal(true), lastSeq: z.number() }) } } }, async () => ({
    ok: true as const,
    lastSeq: ledger.lastSeq,
  }));

  // The type provider cannot resolve a generic schema's output, so the route sees plain zod types;
  // the body is still validated by partialQuirksSchema before the handler runs.
  const quirksReply = { 200: quirksSchema as z.ZodType };
  app.get('/__admin/quirks', { schema: { response: quirksReply } }, async () => quirks.current);

  app.post('/__admin/quirks', { schema: { body: partialQuirksSchema as z.ZodType, response: quirksReply } }, async (request) =>
    quirks.update(request.body as Partial<Q>),
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
}
