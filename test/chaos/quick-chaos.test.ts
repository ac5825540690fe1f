// The quick chaos run of CI: a small subset of the chaos suite (chaos/run.ts) on a stack of its
// own (profile chaos-ci: the Temporal dev server, Redis, the sandbox apps and the app as separate
// processes, started by scripts/stack.sh), so faults go to real processes: Redis killed and back
// empty mid-shift, and two operators and a retrying client racing on one Idempotency-Key. The test
// fails on any FAIL verdict, any loss or any duplicate. (bot-kill is left to `npm run chaos`: its
// batch through Chromium takes minutes on a busy 2-core machine.)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ChaosStack, ROOT } from '../../chaos/lib/stack';

const run = promisify(execFile);
const SCENARIOS = ['key-race', 'redis-outage'];
const PROFILE = 'chaos-ci';

describe('quick chaos run (dev server, profile chaos-ci)', () => {
  // run.ts stops its stack itself; this is for a run cut short by the timeout.
  afterAll(async () => new ChaosStack({ kind: 'dev', profile: PROFILE, loginLeaseMs: 5_000, log: () => undefined }).stop(), 120_000);

  it('loses nothing and does nothing twice under a Redis outage and a key race', { timeout: 600_000 }, async () => {
    const args = ['chaos/run.ts', '--quick', '--dev', '--profile', PROFILE, '--only', SCENARIOS.join(',')];
    // A failing verdict exits 1: its output is still what the assertions below need.
    const { stdout, stderr } = await run(`${ROOT}/node_modules/.bin/tsx`, args, { cwd: ROOT, maxBuffer: 20 * 1024 * 1024, timeout: 590_000 }).catch(
      (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
    );
    const verdicts = stdout.split('\n').filter((line) => line.startsWith('VERDICT '));
    const summary = `${verdicts.join('\n')}\n--- log tail ---\n${stderr.split('\n').slice(-40).join('\n')}`;
    expect(verdicts.map((line) => /^VERDICT ([\w+-]+):/.exec(line)?.[1]), summary).toEqual(SCENARIOS);
    for (const line of verdicts) {
      expect(line, summary).toMatch(/: PASS /);
      expect(line, summary).toMatch(/ losses=0 /);
      expect(line, summary).toMatch(/ duplicates=0 /);
    }
  });
});
