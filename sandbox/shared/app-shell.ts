import { setTimeout as sleep } from 'node:timers/promises';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

/** The two quirks every request goes through before its route: a forced failure, then a slow page. */
export interface RequestQuirks {
  takeFailure(): boolean;
  pageDelayMs(): number;
}

export interface SandboxShellOptions {
  quirks: RequestQuirks;
  /** The app's own HTML for a 404 and for a 500 (forced failure or crash). */
  notFoundPage: () => string;
  serverErrorPage: () => string;
  /** Fastify logger option. Default false (tests stay quiet). */
  logger?: FastifyServerOptions['logger'];
}

// `/__…` is the test-only admin API: it answers JSON and is never slowed or failed by quirks,
// so tests can always reach it to switch quirks off again.
const isAdminPath = (url: string): boolean => url.startsWith('/__');

/**
 * What every sandbox app is before its routes: zod-validated fastify with cookies and form bodies,
 * quirks applied to each non-admin request, and HTML error pages (JSON ones on the admin API).
 */
export function sandboxShell(opts: SandboxShellOptions): FastifyInstance {
  const { quirks, notFoundPage, serverErrorPage } = opts;
  const app = Fastify({ logger: opts.logger ?? false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', async (request, reply) => {
    if (isAdminPath(request.url) || request.url === '/favicon.ico') return;
    if (quirks.takeFailure()) {
      return reply.code(500).type('text/html; charset=utf-8').send(serverErrorPage());
    }
    const delayMs = quirks.pageDelayMs();
    if (delayMs > 0) await sleep(delayMs);
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (isAdminPath(request.url)) return reply.code(status).send({ error: status >= 500 ? 'InternalError' : 'BadRequest', message: error.message });
    return reply.code(status).type('text/html; charset=utf-8').send(serverErrorPage());
  });

  app.setNotFoundHandler((request, reply) => {
    if (isAdminPath(request.url)) return reply.code(404).send({ error: 'NotFound', message: `no route ${request.method} ${request.url}` });
    return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage());
  });

  void app.register(fastifyCookie);
  void app.register(fastifyFormbody);
  return app;
}

/** The warning an app logs when its ledger skips a line it cannot read (a torn or hand-edited line). */
export function warnSkippedLedgerLine(app: FastifyInstance, ledgerPath: string): (lineNo: number) => void {
  return (lineNo) => app.log.warn({ lineNo, ledgerPath }, 'skipped unreadable ledger line');
}
