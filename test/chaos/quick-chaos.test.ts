// The quick chaos run of CI: a small subset of the chaos suite (chaos/run.ts) on a stack of its
// own (profile chaos-ci: the Temporal dev server, Redis, the sandbox apps and the app as separate
// processes, started by scripts/stack.sh), so faults can go to real processes: a bot worker killed
// mid-batch, Redis killed and back empty mid-shift, two operators and a retrying client racing on
// one Idempotency-Key. The test fails on any FAIL verdict, any loss or any duplicate.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCENARIOS = ['bot-kill', 'key-race', 'redis-outage'];

describe('quick chaos run (dev server, profile chaos-ci)', () => {
  it('loses nothing and does nothing twice under a bot kill, a Redis outage and a key race', { timeout: 300_000 }, async () => {
    const args = ['tsx', 'chaos/run.ts', '--quick', '--dev', '--profile', 'chaos-ci', '--only', SCENARIOS.join(','), '--items', '8', '--kills', '1'];
    // A failing verdict exits 1: its output is still what the assertions below need.
    const { stdout, stderr } = await run('npx', args, { maxBuffer: 20 * 1024 * 1024, timeout: 290_000 }).catch((err: { stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }));
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
