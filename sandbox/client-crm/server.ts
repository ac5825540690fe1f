// Runs the sandbox client CRM on its own: `tsx sandbox/client-crm/server.ts`.
import { runSandboxServer } from '../shared/server';
import { buildClientCrm } from './app';

await runSandboxServer({
  name: 'client-crm',
  portVar: 'SANDBOX_CRM_PORT',
  defaultPort: 4722,
  ledgerFile: 'crm-ledger.jsonl',
  build: buildClientCrm,
});
