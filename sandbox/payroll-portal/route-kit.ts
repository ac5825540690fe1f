// What every screen route shares: the session check, HTML replies and the period parameter.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { refusalPage } from './pages';
import type { QuirkState } from './quirks';
import type { SessionStore } from '../shared/sessions';
import { PERIOD_PATTERN } from './timesheets';
import type { SeedLogin } from './types';

export const SESSION_COOKIE = 'payroll_session';

export const formField = z.string().max(10_000).default('');
export const PageQuery = z.object({ page: z.coerce.number().int().min(1).catch(1).default(1) });
export const PeriodParams = z.object({ period: z.string().min(1).max(32) });
export const EmployeeParams = PeriodParams.extend({ employeeId: z.string().min(1).max(64) });

export function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

/** Only same-site paths: an open redirect would be a bug even in a sandbox. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/employees';
}

export type Authenticate = (request: FastifyRequest, reply: FastifyReply, next: string) => SeedLogin | undefined;

/** The signed-in login, or undefined after answering with a redirect to the login page. */
export function sessionGuard(sessions: SessionStore<SeedLogin>, quirks: QuirkState): Authenticate {
  return (request, reply, next) => {
    const login = sessions.touch(request.cookies[SESSION_COOKIE], quirks.current.sessionTtlMs);
    if (!login) void reply.redirect(`/login?${new URLSearchParams({ next }).toString()}`, 302);
    return login;
  };
}

/** Answers 404 for anything that is not a pay period (`YYYY-MM`); true when it did. */
export function refuseUnknownPeriod(reply: FastifyReply, login: SeedLogin, period: string): boolean {
  if (PERIOD_PATTERN.test(period)) return false;
  void sendHtml(reply, 404, refusalPage(login, 'Pay period not found', 'period-not-found', `There is no pay period ${period}.`));
  return true;
}
