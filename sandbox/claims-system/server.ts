// Runs the sandbox claims system on its own: `tsx sandbox/claims-system/server.ts`.
import { runSandboxServer } from '../shared/server';
import { buildClaimsSystem } from './app';

await runSandboxServer({
  name: 'claims-system',
  portVar: 'SANDBOX_CLAIMS_PORT',
  defaultPort: 4720,
  ledgerFile: 'claims-ledger.jsonl',
  build: buildClaimsSystem,
});
