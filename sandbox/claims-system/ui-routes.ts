import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readFormValues, validateAdjudication } from './adjudication-form';
import type { ClaimBook } from './claim-book';
import type { AdjudicationLedger } from './ledger';
import { claimDetailPage, claimNotFoundPage, claimsListPage, confirmationPage, loginPage } from './pages';
import type { QuirkState } from './quirks';
import { findLogin } from './seed';
import type { SessionStore } from '../shared/sessions';
import type { SeedLogin } from './types';

export const SESSION_COOKIE = 'claims_session';

export interface UiDeps {
  book: ClaimBook;
  ledger: AdjudicationLedger;
  sessions: SessionStore<SeedLogin>;
  quirks: QuirkState;
}

const formField = z.string().max(10_000).default('');
const ClaimParams = z.object({ ref: z.string().min(1).max(64) });

/** Only same-site paths: an open redirect would be a bug even in a sandbox. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/claims';
}

function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

export const uiRoutes: FastifyPluginAsyncZod<UiDeps> = async (app, { book, ledger, sessions, quirks }) => {
  /** The signed-in login, or undefined after answering with a redirect to the login page. */
  function authenticate(request: FastifyRequest, reply: FastifyReply, next: string): SeedLogin | undefined {
    const login = sessions.touch(request.cookies[SESSION_COOKIE], quirks.current.sessionTtlMs);
    if (!login) void reply.redirect(`/login?${new URLSearchParams({ next }).toString()}`, 302);
    return login;
  }

  app.get('/', async (_request, reply) => reply.redirect('/claims', 302));

  app.get('/login', { schema: { querystring: z.object({ next: z.string().max(2_000).optional() }) } }, async (request, reply) =>
    sendHtml(reply, 200, loginPage({ next: request.query.next })),
  );

  app.post(
    '/login',
    { schema: { body: z.object({ username: formField, password: formField, next: formField }) } },
    async (request, reply) => {
      const { username, password, next } = request.body;
      const login = findLogin(username, password);
      if (!login) {
        request.log.info({ username }, 'login refused');
        return sendHtml(reply, 401, loginPage({ error: 'Invalid user name or password.', username, next }));
      }
      const token = sessions.open(login, quirks.current.sessionTtlMs);
      reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/' });
      return reply.redirect(safeNext(next), 302);
    },
  );

  app.get('/logout', async (request, reply) => {
    sessions.close(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 302);
  });

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
