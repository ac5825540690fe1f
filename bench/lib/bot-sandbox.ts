// The client application the bot bench drives: the sandbox claims system started in this process on
// a random loopback port (not the stack's sandbox), its seeded claims as the work items, and its
// seeded bot logins as the credentials.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credential } from '../../activities/credentials';
import { buildClaimsSystem } from '../../sandbox/claims-system/app';
import { BOT_CREDENTIALS, SEED_CLAIMS } from '../../sandbox/claims-system/seed';
import type { ClaimBotInput } from '../../workflows/claim-review/bots';

export const CLAIMS_APP = 'claims-system';

export interface ClaimsSandbox {
  url: string;
  close(): Promise<void>;
}

export async function startClaimsSandbox(): Promise<ClaimsSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-bench-bots-'));
  const app = buildClaimsSystem({ ledgerPath: join(dir, 'ledger.jsonl') });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    close: async () => {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Named the way the bot steps ask for them (`<client>/claims-system`). */
export function sandboxCredentials(): Record<string, Credential> {
  return { ...BOT_CREDENTIALS };
}

// The seeded claims with the clients taking turns, so every round of items mixes both logins.
const INTERLEAVED = (() => {
  const byTenant = [...new Set(SEED_CLAIMS.map((c) => c.tenant))].map((t) => SEED_CLAIMS.filter((c) => c.tenant === t));
  const longest = Math.max(...byTenant.map((l) => l.length));
  return Array.from({ length: longest }, (_, i) => byTenant.map((l) => l[i]).filter((c) => c !== undefined)).flat();
})();

/** `count` items cycling through every seeded claim of both clients (taking turns), each with its client's login. */
export function claimItems(count: number, offset = 0): ClaimBotInput[] {
  return Array.from({ length: count }, (_, i) => {
    const claim = INTERLEAVED[(offset + i) % INTERLEAVED.length]!;
    return { client: claim.tenant, claimRef: claim.claimRef, credential: `${claim.tenant}/${CLAIMS_APP}` };
  });
}

/** Why an item's result is wrong (undefined when it read the claim as seeded). */
export function misread(item: ClaimBotInput, read: { claimRef: string; amountCents: number }): string | undefined {
  const seeded = SEED_CLAIMS.find((c) => c.tenant === item.client && c.claimRef === item.claimRef);
  if (!seeded) return `no seeded claim ${item.client}/${item.claimRef}`;
  if (read.claimRef !== seeded.claimRef || read.amountCents !== seeded.amountCents) {
    return `read ${read.claimRef} ${read.amountCents}, seeded ${seeded.claimRef} ${seeded.amountCents}`;
  }
  return undefined;
}
