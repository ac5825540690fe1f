import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CustomerBook } from './customer-book';
import { readFormValues, validateCustomer } from './customer-form';
import { customerDetailPage, customerFormPage, customerNotFoundPage, customersListPage, loginPage } from './pages';
import type { QuirkState } from './quirks';
import { findLogin } from './seed';
import type { SessionStore } from '../shared/sessions';
import type { SeedLogin } from './types';

export const SESSION_COOKIE = 'crm_session';

export interface UiDeps {
  book: CustomerBook;
  sessions: SessionStore<SeedLogin>;
  quirks: QuirkState;
}

const formField = z.string().max(10_000).default('');
const RecordParams = z.object({ recordId: z.string().min(1).max(64) });

/** Only same-site paths: an open redirect would be a bug even in a sandbox. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/customers';
}

function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

const todayUtc = (): string => new Date().toISOString().slice(0, 10);

export const uiRoutes: FastifyPluginAsyncZod<UiDeps> = async (app, { book, sessions, quirks }) => {
  /** The signed-in login, or undefined after answering with a redirect to the login page. */
  function authenticate(request: FastifyRequest, reply: FastifyReply, next: string): SeedLogin | undefined {
    const login = sessions.touch(request.cookies[SESSION_COOKIE], quirks.current.sessionTtlMs);
    if (!login) void reply.redirect(`/login?${new URLSearchParams({ next }).toString()}`, 302);
    return login;
  }

  app.get('/', async (_request, reply) => reply.redirect('/customers', 302));

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
    '/customers',
    { schema: { querystring: z.object({ q: z.string().max(200).default(''), page: z.coerce.number().int().min(1).catch(1).default(1) }) } },
    async (request, reply) => {
      const login = authenticate(request, reply, request.url);
      if (!login) return reply;
      const { q, page } = request.query;
      return sendHtml(reply, 200, customersListPage({ login, q, ...book.search(login.tenant, q, page) }));
    },
  );

  app.get('/customers/new', async (request, reply) => {
    const login = authenticate(request, reply, '/customers/new');
    if (!login) return reply;
    return sendHtml(reply, 200, customerFormPage({ login }));
  });

  app.post('/customers', async (request, reply) => {
    // A POST cannot be replayed through a redirect: after signing in, the user gets a fresh form.
    const login = authenticate(request, reply, '/customers/new');
    if (!login) return reply;
    const values = readFormValues(request.body);
    const result = validateCustomer(values, todayUtc());
    if (!result.ok) return sendHtml(reply, 422, customerFormPage({ login, values, errors: result.errors }));
    if (values.confirmed !== 'yes' && quirks.saveNeedsSecondClick()) {
      return sendHtml(reply, 200, customerFormPage({ login, values, confirm: true }));
    }

    const outcome = await book.create(login.tenant, result.value);
    if ('duplicateOf' in outcome) {
      const errors = { accountNumber: 'An account with this number already exists.' };
      return sendHtml(reply, 422, customerFormPage({ login, values, errors, duplicateOf: outcome.duplicateOf }));
    }
    const { recordId } = outcome.created;
    request.log.info({ recordId }, 'customer recorded');
    // Recorded first, answered later: the window in which a caller's timeout loses the record id.
    const delayMs = quirks.current.submitResponseDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    return reply.redirect(`/customers/${encodeURIComponent(recordId)}?saved=1`, 303);
  });

  app.get(
    '/customers/:recordId',
    { schema: { params: RecordParams, querystring: z.object({ saved: z.string().max(8).optional() }) } },
    async (request, reply) => {
      const login = authenticate(request, reply, request.url);
      if (!login) return reply;
      const customer = book.get(login.tenant, request.params.recordId);
      if (!customer) return sendHtml(reply, 404, customerNotFoundPage(login, request.params.recordId));
      return sendHtml(reply, 200, customerDetailPage({ login, customer, saved: request.query.saved === '1' }));
    },
  );
};
