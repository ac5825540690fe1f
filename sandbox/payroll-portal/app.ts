import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { sandboxShell, warnSkippedLedgerLine } from '../shared/app-shell';
import { SessionStore } from '../shared/sessions';
import { sessionGuard } from '../shared/sign-in';
import { adjustmentRoutes } from './adjustment-routes';
import { adminRoutes } from './admin-routes';
import { PayrollLedger } from './ledger';
import { notFoundPage, serverErrorPage } from './pages';
import { PayrollBook } from './payroll-book';
import { payrollRoutes } from './payroll-routes';
import { QuirkState, type Quirks } from './quirks';
import { SESSION_COOKIE } from './route-kit';
import { Timesheets } from './timesheets';
import type { SeedLogin } from './types';
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

/** The sandbox payroll portal, ready to `listen()` or `inject()`. */
export function buildPayrollPortal(opts: PayrollPortalOptions): FastifyInstance {
  const quirks = new QuirkState(opts.quirks, opts.seed ?? 1);
  const app = sandboxShell({ quirks, notFoundPage, serverErrorPage, logger: opts.logger });
  const ledger = new PayrollLedger(opts.ledgerPath, warnSkippedLedgerLine(app, opts.ledgerPath));
  const sessions = new SessionStore<SeedLogin>();
  const book = new PayrollBook(ledger, new Timesheets());
  const authenticate = sessionGuard({ cookieName: SESSION_COOKIE, sessions, sessionTtlMs: () => quirks.current.sessionTtlMs });

  void app.register(uiRoutes, { book, sessions, quirks, authenticate });
  void app.register(adjustmentRoutes, { book, ledger, quirks, authenticate });
  void app.register(payrollRoutes, { book, ledger, quirks, authenticate });
  void app.register(adminRoutes, { ledger, quirks });
  return app;
}
