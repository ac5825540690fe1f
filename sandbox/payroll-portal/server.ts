// Runs the sandbox payroll portal on its own: `tsx sandbox/payroll-portal/server.ts`.
import { join } from 'node:path';
import { buildPayrollPortal } from './app';

const DEFAULT_PORT = 4721;

function readPort(): number {
  const raw = process.env.SANDBOX_PAYROLL_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`SANDBOX_PAYROLL_PORT is not a port: ${raw}`);
  return port;
}

const port = readPort();
const stateDir = process.env.TANDEM_STATE_DIR || '.state/dev';
const app = buildPayrollPortal({ ledgerPath: join(stateDir, 'sandbox', 'payroll-ledger.jsonl') });

await app.listen({ port, host: '127.0.0.1' });
console.log(`payroll-portal listening on http://127.0.0.1:${port}`);

let closing = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    await app.close();
    process.exit(0);
  } catch (error) {
    console.error(`payroll-portal: failed to close after ${signal}`, error);
    process.exit(1);
  }
}
process.once('SIGTERM', (s) => void shutdown(s));
process.once('SIGINT', (s) => void shutdown(s));
