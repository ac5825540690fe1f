import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionStore } from '../shared/sessions';
import { sendHtml, sessionGuard, signInRoutes } from '../shared/sign-in';
import type { CustomerBook } from './customer-book';
import { readFormValues, validateCustomer } from './customer-form';
import { customerDetailPage, customerFormPage, customerNotFoundPage, customersListPage, loginPage } from './pages';
import type { QuirkState } from './quirks';
import { findLogin } from './seed';
import type { SeedLogin } from './types';

export const SESSION_COOKIE = 'crm_session';

export interface UiDeps {
  book: CustomerBook;
  sessions: SessionStore<SeedLogin>;
  quirks: QuirkState;
}

const RecordParams = z.object({ recordId: z.string().min(1).max(64) });

const todayUtc = (): string => new Date().toISOString().slice(0, 10);

export const uiRoutes: FastifyPluginAsyncZod<UiDeps> = async (app, { book, sessions, quirks }) => {
  const cookie = { cookieName: SESSION_COOKIE, sessions, sessionTtlMs: () => quirks.current.sessionTtlMs };
  const authenticate = sessionGuard(cookie);
  await app.register(signInRoutes({ ...cookie, home: '/customers', findLogin, loginPage }));

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
