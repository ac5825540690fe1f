import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { sandboxShell, warnSkippedLedgerLine } from '../shared/app-shell';
import { SessionStore } from '../shared/sessions';
import { adminRoutes } from './admin-routes';
import { CustomerBook } from './customer-book';
import { CustomerLedger } from './ledger';
import { notFoundPage, serverErrorPage } from './pages';
import { QuirkState, type Quirks } from './quirks';
import type { SeedLogin } from './types';
import { uiRoutes } from './ui-routes';

export interface ClientCrmOptions {
  /** JSONL file of created customer records; created if missing, reloaded if present. */
  ledgerPath: string;
  /** Misbehaviours to start with (all off by default); changeable later via `POST /__admin/quirks`. */
  quirks?: Partial<Quirks>;
  /** Seed of the random sources behind probabilistic quirks. Default 1. */
  seed?: number;
  /** Fastify logger option. Default false (tests stay quiet). */
  logger?: FastifyServerOptions['logger'];
}

/** The sandbox client CRM, ready to `listen()` or `inject()`. */
export function buildClientCrm(opts: ClientCrmOptions): FastifyInstance {
  const quirks = new QuirkState(opts.quirks, opts.seed ?? 1);
  const app = sandboxShell({ quirks, notFoundPage, serverErrorPage, logger: opts.logger });
  const ledger = new CustomerLedger(opts.ledgerPath, warnSkippedLedgerLine(app, opts.ledgerPath));
  const sessions = new SessionStore<SeedLogin>();
  const book = new CustomerBook(ledger);

  void app.register(uiRoutes, { book, sessions, quirks });
  void app.register(adminRoutes, { ledger, quirks });
  return app;
}
