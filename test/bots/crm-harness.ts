// The sandbox client CRM on a random loopback port, with its admin hooks and a plain-HTTP way to
// create many records quickly (to fill search pages without driving a browser).
import type { FastifyInstance } from 'fastify';
import { buildClientCrm, type ClientCrmOptions } from '../../sandbox/client-crm/app';
import type { Quirks } from '../../sandbox/client-crm/quirks';
import type { CustomerFields, LedgerEntry } from '../../sandbox/client-crm/types';
import { sandboxAdmin } from './sandbox-harness';

export interface RunningCrm {
  app: FastifyInstance;
  url: string;
  setQuirks(patch: Partial<Quirks>): Promise<Quirks>;
  ledger(filter?: { tenant?: string; reference?: string; accountNumber?: string }): Promise<LedgerEntry[]>;
  /** Polls the ledger until it holds an entry with this reference (the save has landed). */
  waitForEntry(reference: string, timeoutMs?: number): Promise<LedgerEntry>;
  /** Signs in over HTTP and saves each customer with its reference; answers the record ids. */
  createOverHttp(login: { username: string; password: string }, records: Array<{ fields: CustomerFields; reference: string }>): Promise<string[]>;
  close(): Promise<void>;
}

export async function startCrm(opts: ClientCrmOptions): Promise<RunningCrm> {
  const app = buildClientCrm(opts);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const admin = sandboxAdmin(url);
  const ledger: RunningCrm['ledger'] = async (filter = {}) => {
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined));
    return (await admin<{ entries: LedgerEntry[] }>('GET', `/__ledger?${query.toString()}`)).entries;
  };
  return {
    app,
    url,
    setQuirks: (patch) => admin<Quirks>('POST', '/__admin/quirks', patch),
    ledger,
    async waitForEntry(reference, timeoutMs = 10_000) {
      const started = Date.now();
      for (;;) {
        const [entry] = await ledger({ reference });
        if (entry) return entry;
        if (Date.now() - started > timeoutMs) throw new Error(`no ledger entry for ${reference} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async createOverHttp(login, records) {
      const signIn = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ ...login, next: '' }), redirect: 'manual' });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      if (signIn.status !== 302 || cookie === '') throw new Error(`sign-in over HTTP answered ${signIn.status}`);
      const ids: string[] = [];
      for (const { fields, reference } of records) {
        const body = new URLSearchParams({ ...fields, externalReference: reference, confirmed: 'yes' });
        const saved = await fetch(`${url}/customers`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' });
        const location = saved.headers.get('location') ?? '';
        const id = /^\/customers\/([^?]+)\?saved=1$/.exec(location)?.[1];
        if (saved.status !== 303 || !id) throw new Error(`save over HTTP answered ${saved.status}: ${(await saved.text()).slice(0, 200)}`);
        ids.push(id);
      }
      return ids;
    },
    close: () => app.close(),
  };
}

let accountSeq = 0;

/** A valid customer with an account number no seed uses and no other call of this process returns. */
export function sampleCustomer(overrides: Partial<CustomerFields> = {}): CustomerFields {
  accountSeq += 1;
  return {
    firstName: 'Nadia',
    lastName: 'Okafor',
    email: `nadia.okafor${accountSeq}@example.com`,
    phone: '+44 7700 900555',
    postcode: 'SW1A 2AA',
    dateOfBirth: '1984-06-15',
    accountNumber: `AC-${String(700_000 + accountSeq)}`,
    ...overrides,
  };
}
