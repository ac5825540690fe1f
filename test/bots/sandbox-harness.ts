import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildClaimsSystem, type ClaimsSystemOptions } from '../../sandbox/claims-system/app';
import type { Quirks } from '../../sandbox/claims-system/quirks';
import type { LedgerEntry } from '../../sandbox/claims-system/types';

export interface RunningSandbox {
  app: FastifyInstance;
  url: string;
  ledgerPath: string;
  setQuirks(patch: Partial<Quirks>): Promise<Quirks>;
  ledger(filter?: { tenant?: string; claimRef?: string; reference?: string }): Promise<LedgerEntry[]>;
  close(): Promise<void>;
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `tandem-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A JSON client for a sandbox app's admin endpoints (`/__ledger`, `/__admin/*`). */
export function sandboxAdmin(url: string) {
  return async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
}

/** Starts the claims system on a random loopback port. */
export async function startSandbox(opts: ClaimsSystemOptions): Promise<RunningSandbox> {
  const app = buildClaimsSystem(opts);
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
    close: () => app.close(),
  };
}

export { readZipEntries } from '../support/zip';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
