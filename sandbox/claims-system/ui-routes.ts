import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionStore } from '../shared/sessions';
import { sendHtml, sessionGuard, signInRoutes } from '../shared/sign-in';
import { readFormValues, validateAdjudication } from './adjudication-form';
import type { ClaimBook } from './claim-book';
import type { AdjudicationLedger } from './ledger';
import { claimDetailPage, claimNotFoundPage, claimsListPage, confirmationPage, loginPage } from './pages';
import type { QuirkState } from './quirks';
import { findLogin } from './seed';
import type { SeedLogin } from './types';

export const SESSION_COOKIE = 'claims_session';

export interface UiDeps {
  book: ClaimBook;
  ledger: AdjudicationLedger;
  sessions: SessionStore<SeedLogin>;
  quirks: QuirkState;
}

const ClaimParams = z.object({ ref: z.string().min(1).max(64) });

export const uiRoutes: FastifyPluginAsyncZod<UiDeps> = async (app, { book, ledger, sessions, quirks }) => {
  const cookie = { cookieName: SESSION_COOKIE, sessions, sessionTtlMs: () => quirks.current.sessionTtlMs };
  const authenticate = sessionGuard(cookie);
  await app.register(signInRoutes({ ...cookie, home: '/claims', findLogin, loginPage }));

  app.get(
    '/claims',
    { schema: { querystring: z.object({ q: z.string().max(200).default(''), page: z.coerce.number().int().min(1).catch(1).default(1) }) } },
    async (request, reply) => {
      const login = authenticate(request, reply, request.url);
      if (!login) return reply;
      const { q, page } = request.query;
      const result = book.search(login.tenant, q, page);
      return sendHtml(reply, 200, claimsListPage({ login, q, ...result }));
    },
  );

  app.get('/claims/:ref', { schema: { params: ClaimParams } }, async (request, reply) => {
    const login = authenticate(request, reply, request.url);
    if (!login) return reply;
    const claim = book.get(login.tenant, request.params.ref);
    if (!claim) return sendHtml(reply, 404, claimNotFoundPage(login, request.params.ref));
    return sendHtml(reply, 200, claimDetailPage({ login, claim }));
  });

  app.post('/claims/:ref/adjudicate', { schema: { params: ClaimParams } }, async (request, reply) => {
    const { ref } = request.params;
    // A POST cannot be replayed through a redirect: send the user back to the claim instead.
    const login = authenticate(request, reply, `/claims/${encodeURIComponent(ref)}`);
    if (!login) return reply;
    const claim = book.get(login.tenant, ref);
    if (!claim) return sendHtml(reply, 404, claimNotFoundPage(login, ref));

    const values = readFormValues(request.body);
    const result = validateAdjudication(values, claim.amountCents);
    if (!result.ok) return sendHtml(reply, 422, claimDetailPage({ login, claim, values, errors: result.errors }));

    const entry = await ledger.append({ tenant: login.tenant, claimRef: claim.claimRef, ...result.value });
    request.log.info({ claimRef: entry.claimRef, confirmation: entry.confirmation }, 'adjudication recorded');
    // Recorded first, answered later: the window in which a caller's timeout loses the confirmation.
    const delayMs = quirks.current.submitResponseDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    return sendHtml(reply, 200, confirmationPage(login, entry));
  });
};
