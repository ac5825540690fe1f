// The stand-alone entry every sandbox app shares: `tsx sandbox/<app>/server.ts` calls runSandboxServer.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

export interface SandboxServerOptions {
  /** The app's name in log lines, e.g. `client-crm`. */
  name: string;
  /** Env var that overrides the port, e.g. `SANDBOX_CRM_PORT`. */
  portVar: string;
  defaultPort: number;
  /** File name of the app's ledger under `$TANDEM_STATE_DIR/sandbox/`, e.g. `crm-ledger.jsonl`. */
  ledgerFile: string;
  /** Builds the app around its ledger path. */
  build: (opts: { ledgerPath: string }) => FastifyInstance;
}

function readPort(portVar: string, defaultPort: number): number {
  const raw = process.env[portVar];
  if (raw === undefined || raw === '') return defaultPort;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${portVar} is not a port: ${raw}`);
  return port;
}

/** Listens on 127.0.0.1 only (a sandbox is never for the network) and closes cleanly on SIGTERM/SIGINT. */
export async function runSandboxServer(opts: SandboxServerOptions): Promise<FastifyInstance> {
  const port = readPort(opts.portVar, opts.defaultPort);
  // The same default state folder as the scripts, so a sandbox started by hand agrees with print-credentials.
  const stateDir = process.env.TANDEM_STATE_DIR || '.state/dev';
  const app = opts.build({ ledgerPath: join(stateDir, 'sandbox', opts.ledgerFile) });

  await app.listen({ port, host: '127.0.0.1' });
  console.log(`${opts.name} listening on http://127.0.0.1:${port}`);

  let closing = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (closing) return;
    closing = true;
    try {
      await app.close();
      process.exit(0);
    } catch (error) {
      console.error(`${opts.name}: failed to close after ${signal}`, error);
      process.exit(1);
    }
  };
  process.once('SIGTERM', (s) => void shutdown(s));
  process.once('SIGINT', (s) => void shutdown(s));
  return app;
}
