import { setTimeout as sleep } from 'node:timers/promises';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { adjustmentRoutes } from './adjustment-routes';
import { adminRoutes } from './admin-routes';
import { PayrollLedger } from './ledger';
import { notFoundPage, serverErrorPage } from './pages';
import { PayrollBook } from './payroll-book';
import { payrollRoutes } from './payroll-routes';
import { QuirkState, type Quirks } from './quirks';
import { sessionGuard } from './route-kit';
import { SessionStore } from './sessions';
import { Timesheets } from './timesheets';
import { uiRoutes } from './ui-routes';

export interface PayrollPortalOptions {
  /** JSONL file of adjustments and submissions; created if missing, reloaded if present. */
  ledgerPath: string;
  /** Misbehaviours to start with (all off by default); changeable later via `POST /__admin/quirks`. */
  quirks?: Partial<Quirks>;
  /** Seed of the random source behind probabilistic quirks. Default 1. */
  seed?: number;
  /** Fastify logger option. Default false (tests stay quiet). */
  logger?: FastifyServerOptions['logger'];
}

const isAdminPath = (url: string): boolean => url.startsWith('/__');

/** The sandbox payroll portal, ready to `listen()` or `inject()`. */
export function buildPayrollPortal(opts: PayrollPortalOptions): FastifyInstance {
  const app = Fastify({ logger: opts.logger ?? false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const ledger = new PayrollLedger(opts.ledgerPath, (lineNo) =>
    app.log.warn({ lineNo, ledgerPath: opts.ledgerPath }, 'skipped unreadable ledger line'),
  );
  const quirks = new QuirkState(opts.quirks, opts.seed ?? 1);
  const sessions = new SessionStore();
  const book = new PayrollBook(ledger, new Timesheets());
  const authenticate = sessionGuard(sessions, quirks);

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
  void app.register(uiRoutes, { book, sessions, quirks, authenticate });
  void app.register(adjustmentRoutes, { book, ledger, quirks, authenticate });
  void app.register(payrollRoutes, { book, ledger, quirks, authenticate });
  void app.register(adminRoutes, { ledger, quirks });
  return app;
}
