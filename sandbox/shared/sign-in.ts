// Signing in and out, and the session check behind every screen: the same in every sandbox app,
// since the bots' login steps and re-login-on-expiry rely on exactly this behaviour.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionStore } from './sessions';

export const formField = z.string().max(10_000).default('');

export function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

export interface SessionCookieOptions<TLogin> {
  cookieName: string;
  sessions: SessionStore<TLogin>;
  /** The idle timeout in force now (a quirk tests change at runtime). */
  sessionTtlMs: () => number;
}

export interface SignInOptions<TLogin> extends SessionCookieOptions<TLogin> {
  /** Where `/` and a sign-in without a usable `next` land. */
  home: string;
  findLogin: (username: string, password: string) => TLogin | undefined;
  loginPage: (opts: { error?: string; username?: string; next?: string }) => string;
  /** Sessions one user may have open at once; a sign-in beyond it closes the user's oldest. 0 or
   *  absent: no limit. (A quirk tests turn on: the session a kept browser context holds can be
   *  replaced by another bot's sign-in.) */
  sessionsPerUser?: () => number;
}

/** Answers the signed-in login, or undefined after answering with a redirect to the login page. */
export type Authenticate<TLogin> = (request: FastifyRequest, reply: FastifyReply, next: string) => TLogin | undefined;

export function sessionGuard<TLogin>(opts: SessionCookieOptions<TLogin>): Authenticate<TLogin> {
  return (request, reply, next) => {
    const login = opts.sessions.touch(request.cookies[opts.cookieName], opts.sessionTtlMs());
    if (!login) void reply.redirect(`/login?${new URLSearchParams({ next }).toString()}`, 302);
    return login;
  };
}

/** `/`, `/login` (form and post) and `/logout`. */
export function signInRoutes<TLogin>(opts: SignInOptions<TLogin>): FastifyPluginAsyncZod {
  const { cookieName, sessions, loginPage } = opts;
  // Only same-site paths: an open redirect would be a bug even in a sandbox.
  const safeNext = (next: string | undefined): string =>
    next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : opts.home;

  return async (app) => {
    app.get('/', async (_request, reply) => reply.redirect(opts.home, 302));

    app.get('/login', { schema: { querystring: z.object({ next: z.string().max(2_000).optional() }) } }, async (request, reply) =>
      sendHtml(reply, 200, loginPage({ next: request.query.next })),
    );

    app.post('/login', { schema: { body: z.object({ username: formField, password: formField, next: formField }) } }, async (request, reply) => {
      const { username, password, next } = request.body;
      const login = opts.findLogin(username, password);
      if (!login) {
        request.log.info({ username }, 'login refused');
        return sendHtml(reply, 401, loginPage({ error: 'Invalid user name or password.', username, next }));
      }
      const token = sessions.open(login, opts.sessionTtlMs(), { user: username, max: opts.sessionsPerUser?.() ?? 0 });
      reply.setCookie(cookieName, token, { httpOnly: true, sameSite: 'lax', path: '/' });
      return reply.redirect(safeNext(next), 302);
    });

    app.get('/logout', async (request, reply) => {
      sessions.close(request.cookies[cookieName]);
      reply.clearCookie(cookieName, { path: '/' });
      return reply.redirect('/login', 302);
    });
  };
}
