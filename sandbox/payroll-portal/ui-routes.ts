import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { employeesPage, loginPage, timesheetPage } from './pages';
import type { PayrollBook } from './payroll-book';
import type { QuirkState } from './quirks';
import { formField, PageQuery, PeriodParams, refuseUnknownPeriod, safeNext, SESSION_COOKIE, sendHtml, type Authenticate } from './route-kit';
import { findLogin } from './seed';
import type { SessionStore } from '../shared/sessions';
import type { SeedLogin } from './types';

export interface UiDeps {
  book: PayrollBook;
  sessions: SessionStore<SeedLogin>;
  quirks: QuirkState;
  authenticate: Authenticate;
}

/** Signing in and out, the employee list and the timesheet export. */
export const uiRoutes: FastifyPluginAsyncZod<UiDeps> = async (app, { book, sessions, quirks, authenticate }) => {
  app.get('/', async (_request, reply) => reply.redirect('/employees', 302));

  app.get('/login', { schema: { querystring: z.object({ next: z.string().max(2_000).optional() }) } }, async (request, reply) =>
    sendHtml(reply, 200, loginPage({ next: request.query.next })),
  );

  app.post('/login', { schema: { body: z.object({ username: formField, password: formField, next: formField }) } }, async (request, reply) => {
    const { username, password, next } = request.body;
    const login = findLogin(username, password);
    if (!login) {
      request.log.info({ username }, 'login refused');
      return sendHtml(reply, 401, loginPage({ error: 'Invalid user name or password.', username, next }));
    }
    const token = sessions.open(login, quirks.current.sessionTtlMs);
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/' });
    return reply.redirect(safeNext(next), 302);
  });

  app.get('/logout', async (request, reply) => {
    sessions.close(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 302);
  });

  app.get('/employees', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const login = authenticate(request, reply, request.url);
    if (!login) return reply;
    return sendHtml(reply, 200, employeesPage(login, book.employeesPage(login.tenant, request.query.page)));
  });

  app.get('/payroll/:period/timesheet', { schema: { params: PeriodParams, querystring: PageQuery } }, async (request, reply) => {
    const login = authenticate(request, reply, request.url);
    if (!login) return reply;
    const { period } = request.params;
    if (refuseUnknownPeriod(reply, login, period)) return reply;
    return sendHtml(reply, 200, timesheetPage(login, period, book.timesheetPage(login.tenant, period, request.query.page)));
  });
};
