// Runs the sandbox payroll portal on its own: `tsx sandbox/payroll-portal/server.ts`.
import { runSandboxServer } from '../shared/server';
import { buildPayrollPortal } from './app';

await runSandboxServer({
  name: 'payroll-portal',
  portVar: 'SANDBOX_PAYROLL_PORT',
  defaultPort: 4721,
  ledgerFile: 'payroll-ledger.jsonl',
  build: buildPayrollPortal,
});
