import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SessionStore } from '../shared/sessions';
import { signInRoutes } from '../shared/sign-in';
import { employeesPage, loginPage, timesheetPage } from './pages';
import type { PayrollBook } from './payroll-book';
import type { QuirkState } from './quirks';
import { PageQuery, PeriodParams, refuseUnknownPeriod, SESSION_COOKIE, sendHtml, type Authenticate } from './route-kit';
import { findLogin } from './seed';
import type { SeedLogin } from './types';

export interface UiDeps {
  book: PayrollBook;
  sessions: SessionStore<SeedLogin>;
  quirks: QuirkState;
  authenticate: Authenticate;
}

/** Signing in and out, the employee list and the timesheet export. */
export const uiRoutes: FastifyPluginAsyncZod<UiDeps> = async (app, { book, sessions, quirks, authenticate }) => {
  await app.register(
    signInRoutes({ cookieName: SESSION_COOKIE, sessions, sessionTtlMs: () => quirks.current.sessionTtlMs, home: '/employees', findLogin, loginPage }),
  );

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
