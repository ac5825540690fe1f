// The sandbox payroll portal on a random loopback port, with its ledger, quirks and a log of the
// requests it served (to prove which pages a bot did, or did not, fetch).
import type { FastifyInstance } from 'fastify';
import { buildPayrollPortal, type PayrollPortalOptions } from '../../sandbox/payroll-portal/app';
import type { LedgerFilter } from '../../sandbox/payroll-portal/ledger';
import type { Quirks } from '../../sandbox/payroll-portal/quirks';
import type { LedgerEntry } from '../../sandbox/payroll-portal/types';
import { sandboxAdmin } from './sandbox-harness';

export interface ServedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface RunningPayrollPortal {
  app: FastifyInstance;
  url: string;
  ledgerPath: string;
  setQuirks(patch: Partial<Quirks>): Promise<Quirks>;
  ledger(filter?: LedgerFilter): Promise<LedgerEntry[]>;
  /** Screen requests served so far (admin calls left out). */
  served(): ServedRequest[];
  /** Which timesheet pages of a period were requested, in order. */
  timesheetPagesServed(period: string): number[];
  close(): Promise<void>;
}

export async function startPayrollPortal(opts: PayrollPortalOptions): Promise<RunningPayrollPortal> {
  const app = buildPayrollPortal(opts);
  const served: ServedRequest[] = [];
  app.addHook('onRequest', async (request) => {
    const url = new URL(request.url, 'http://portal');
    if (!url.pathname.startsWith('/__')) served.push({ method: request.method, path: url.pathname, query: url.searchParams });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const admin = sandboxAdmin(url);
  return {
    app,
    url,
    ledgerPath: opts.ledgerPath,
    setQuirks: (patch) => admin<Quirks>('POST', '/__admin/quirks', patch),
    ledger: async (filter = {}) => {
      const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
      return (await admin<{ entries: LedgerEntry[] }>('GET', `/__ledger?${query.toString()}`)).entries;
    },
    served: () => [...served],
    timesheetPagesServed: (period) =>
      served.filter((r) => r.method === 'GET' && r.path === `/payroll/${period}/timesheet`).map((r) => Number(r.query.get('page') ?? '1')),
    close: () => app.close(),
  };
}

export { sleep, tempDir } from './sandbox-harness';
