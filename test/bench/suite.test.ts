// Keeps `npm run bench` from rotting: the suite's quick mode, as CI runs it, on the test stack
// (BENCH_ATTACH=1: its own worker processes and Redis prefix, no stack of its own). Figures are not
// judged (a few samples on a shared machine measure nothing); that every figure of issue #12 was
// measured, beside its baseline where it has one, and printed in the one table, is.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../bench/lib/stack';
import { stackEnv } from '../support/temporal';

interface SuiteJson {
  quick: boolean;
  revision: { commit: string };
  machine: { cores: number };
  loadAvg: number[];
  figures: Array<{ id: string; ours: number; baseline?: number; ratio?: number; verdict: string; target: string }>;
  failed: string[];
}

function runQuick(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/all.ts', '--quick'], { cwd: ROOT, env: { ...process.env, ...stackEnv(), BENCH_ATTACH: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // Kept for a look when the run fails or times out.
    child.on('exit', (code) => void writeFile(`${ROOT}/bench/out/quick/suite-test.log`, out).finally(() => resolve({ code, out })));
  });
}

describe('npm run bench -- --quick', () => {
  it('measures every figure beside its baseline, prints one table and writes the JSON', async () => {
    await rm(`${ROOT}/bench/out/quick/suite.json`, { force: true });
    await mkdir(`${ROOT}/bench/out/quick`, { recursive: true });
    const t0 = Date.now();
    const { code, out } = await runQuick();
    console.log(`bench --quick took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    expect(code, out.slice(-3000)).toBe(0);

    expect(out).toMatch(/^figure\s+ours\s+baseline\s+ratio\s+target\s+verdict$/m);
    const json = JSON.parse(await readFile(`${ROOT}/bench/out/quick/suite.json`, 'utf8')) as SuiteJson;
    expect(json).toMatchObject({ quick: true, failed: [] });
    expect(json.revision.commit).toMatch(/^[0-9a-f]{7,}$/);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.loadAvg).toHaveLength(3);
    const byId = new Map(json.figures.map((f) => [f.id, f]));
    for (const id of ['decision-p50', 'decision-p99', 'start-throughput', 'take-next-pick-p99', 'claim-update-p99', 'worker-rss', 'redis-memory', 'open-rate', 'sustained-rate']) {
      expect(byId.has(id), id).toBe(true);
    }
    // Sane values: latencies and rates positive and finite, ratios where a baseline was measured.
    for (const id of ['decision-p50', 'decision-p99', 'start-throughput', 'take-next-pick-p99', 'claim-update-p99']) {
      const f = byId.get(id)!;
      expect(f.ours, id).toBeGreaterThan(0);
      expect(f.baseline, id).toBeGreaterThan(0);
      expect(f.ratio, id).toBeCloseTo(f.ours / f.baseline!, 6);
    }
    expect(byId.get('decision-p99')!.ours).toBeGreaterThanOrEqual(byId.get('decision-p50')!.ours);
    // The index pick is one Redis script: far below the Update that claims.
    expect(byId.get('take-next-pick-p99')!.ours).toBeLessThan(byId.get('claim-update-p99')!.ours);
    expect(byId.get('worker-rss')!.ours).toBeGreaterThan(20);
    expect(byId.get('sustained-rate')!.ours).toBeGreaterThanOrEqual(0);
    for (const f of json.figures) expect(['met', 'missed', 'info'], f.id).toContain(f.verdict);
    // A smoke run is no figure: each of the four figures and the suite left the recorded results alone.
    expect(out.match(/bench\/RESULTS\.md left alone \(--quick/g)).toHaveLength(5);
  }, 600_000); // ~1 min on a quiet machine; at load 30–50 on 2 cores, several
});
