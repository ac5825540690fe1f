// The README's main job, `npm run demo`, run again and again on one machine (a stack of its own,
// profile demo-check): every run ends at a task a person can approve, resuming the claim's open
// run or taking a claim nobody has worked, and never pays a claim twice.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const state = mkdtempSync(join(tmpdir(), 'tandem-demo-'));
// Nothing of the test stack's own settings (ports, URLs) leaks in: the demo decides its own.
const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TANDEM|TEMPORAL|REDIS|SANDBOX|CHROMIUM)_/.test(k)));
const env = { ...inherited, TANDEM_PROFILE: 'demo-check', TANDEM_STATE_DIR: state };

afterAll(async () => {
  await run('bash', ['scripts/stack.sh', 'stop'], { env }).catch(() => undefined);
  rmSync(state, { recursive: true, force: true });
}, 120_000);

/** One `npm run demo --detach`: what it said, the task it offers and the API it runs. */
async function demo(): Promise<{ said: string; taskId: string; api: string }> {
  const { stdout, stderr } = await run('bash', ['scripts/demo.sh', '--detach'], { env, timeout: 240_000 });
  const approve = /curl -X POST (http:\/\/[^/]+)\/tasks\/(\S+)\/complete/.exec(stdout);
  if (!approve) throw new Error(`the demo offered no task to approve:\n${stdout}\n${stderr}`);
  return { said: stderr, api: approve[1]!, taskId: approve[2]! };
}

describe('npm run demo, again and again', () => {
  it('resumes the open run, then takes the next claim once the first is decided; each claim adjudicated once', async () => {
    const first = await demo();
    expect(first.said).toContain('started a claim-review run for acme-health / CLM-1002\n');
    const again = await demo();
    expect(again.said).toContain('acme-health / CLM-1002 already has an open run from an earlier demo: resuming it');
    expect(again.taskId).toBe(first.taskId);

    const tokens = Object.fromEntries([...readFileSync(join(state, 'tokens.env'), 'utf8').matchAll(/(TOKEN_[A-Z_]+)=["']?([^"'\n]+)/g)].map((m) => [m[1], m[2]]));
    const auth = { authorization: `Bearer ${tokens.TOKEN_ANA_LIMA}`, 'content-type': 'application/json' };
    const approved = await fetch(`${first.api}/tasks/${first.taskId}/complete`, { method: 'POST', headers: auth, body: JSON.stringify({ action: 'approve', data: {} }) });
    expect(approved.status).toBe(200);

    const third = await demo();
    expect(third.said).toContain('started a claim-review run for acme-health / CLM-1002000001');
    expect(third.taskId).not.toBe(first.taskId);
    const fourth = await demo();
    expect(fourth.taskId).toBe(third.taskId);

    // The first claim's run ends with its one adjudication; the claims system holds no other.
    const runId = first.taskId.replace(/\.t\d+$/, '');
    let outcome: { kind?: string } | undefined;
    for (let i = 0; i < 120 && outcome?.kind !== 'adjudicated'; i++) {
      outcome = ((await (await fetch(`${first.api}/runs/${runId}`, { headers: auth })).json()) as { outcome?: { kind?: string } }).outcome;
      if (outcome?.kind !== 'adjudicated') await new Promise((r) => setTimeout(r, 500));
    }
    expect(outcome).toMatchObject({ kind: 'adjudicated' });
    const claims = /SANDBOX_CLAIMS_URL=["']?([^"'\s]+)/.exec((await run('bash', ['scripts/stack.sh', 'env'], { env })).stdout)![1];
    const ledger = (await (await fetch(`${claims}/__ledger?claimRef=CLM-1002`)).json()) as { entries: unknown[] };
    expect(ledger.entries).toHaveLength(1);
  }, 600_000);
});
