import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { sandboxShell, warnSkippedLedgerLine } from '../shared/app-shell';
import { SessionStore } from '../shared/sessions';
import { adminRoutes } from './admin-routes';
import { ClaimBook } from './claim-book';
import { AdjudicationLedger } from './ledger';
import { notFoundPage, serverErrorPage } from './pages';
import { QuirkState, type Quirks } from './quirks';
import type { SeedLogin } from './types';
import { uiRoutes } from './ui-routes';

export interface ClaimsSystemOptions {
  /** JSONL file of adjudications; created if missing, reloaded if present. */
  ledgerPath: string;
  /** Misbehaviours to start with (all off by default); changeable later via `POST /__admin/quirks`. */
  quirks?: Partial<Quirks>;
  /** Seed of the random source behind probabilistic quirks. Default 1. */
  seed?: number;
  /** Fastify logger option. Default false (tests stay quiet). */
  logger?: FastifyServerOptions['logger'];
}

/** The sandbox client system, ready to `listen()` or `inject()`. */
export function buildClaimsSystem(opts: ClaimsSystemOptions): FastifyInstance {
  const quirks = new QuirkState(opts.quirks, opts.seed ?? 1);
  const app = sandboxShell({ quirks, notFoundPage, serverErrorPage, logger: opts.logger });
  const ledger = new AdjudicationLedger(opts.ledgerPath, warnSkippedLedgerLine(app, opts.ledgerPath));
  const sessions = new SessionStore<SeedLogin>();
  const book = new ClaimBook(ledger);

  void app.register(uiRoutes, { book, ledger, sessions, quirks });
  void app.register(adminRoutes, { ledger, quirks });
  return app;
}
