// The circuit of one dependency (no stack needed): it opens on the first sure sign of an outage,
// refuses at once while open, goes half-open while its probe asks, closes when the probe answers,
// and logs each change once however many calls fail; and the errors that stand for an outage
// become a 503 naming the dependency, never a 500.
import { describe, expect, it } from 'vitest';
import { status as GrpcStatus } from '@grpc/grpc-js';
import pino from 'pino';
import { DependencyCircuit, DependencyUnavailable, type CircuitState } from '../../platform/dependencies/circuit';
import { outageOf } from '../../platform/dependencies/outage';
import { problems } from '../../api/problems';

function recordingLog() {
  const lines: Array<{ msg: string; to?: string; level: number }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('DependencyCircuit', () => {
  it('opens on an outage, refuses at once, probes half-open, closes when the dependency is back, logging each change once', async () => {
    let up = true;
    const seen: CircuitState[] = [];
    const { log, lines } = recordingLog();
    const circuit = new DependencyCircuit({
      name: 'redis',
      log,
      probe: async () => {
        seen.push(circuit.state);
        if (!up) throw new Error('ECONNREFUSED');
      },
      openProbeEveryMs: 50,
      closedProbeEveryMs: 60_000,
      probeTimeoutMs: 200,
    }).start();
    try {
      expect(circuit.state).toBe('closed');
      expect(() => circuit.check()).not.toThrow();
      up = false;
      for (let i = 0; i < 20; i++) circuit.tripped('connection closed'); // twenty failing requests
      expect(circuit.state).not.toBe('closed');
      const refused = (() => {
        try {
          circuit.check();
        } catch (err) {
          return err;
        }
      })() as DependencyUnavailable;
      expect(refused).toBeInstanceOf(DependencyUnavailable);
      expect(refused).toMatchObject({ dependency: 'redis', notSent: true });
      expect(refused.retryAfterS).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toContain('half-open'); // the probe runs half-open
      expect(circuit.state).toBe('open');
      up = true;
      await new Promise((r) => setTimeout(r, 300));
      expect(circuit.state).toBe('closed');
      const changes = lines.filter((l) => l.level >= 40);
      expect(changes.map((l) => l.to)).toEqual(['open', 'closed']); // once each, not once per failed call
      expect(circuit.status()).toMatchObject({ name: 'redis', state: 'closed' });
    } finally {
      await circuit.stop();
    }
  });

  it('a slow call is only a suspicion: the probe decides', async () => {
    const circuit = new DependencyCircuit({ name: 'temporal', probe: async () => undefined, closedProbeEveryMs: 60_000 });
    circuit.suspect('no answer before its deadline');
    await circuit.probeNow();
    expect(circuit.state).toBe('closed');
    await circuit.stop();
  });

  it('a probe that hangs counts as a failure after its own timeout', async () => {
    const circuit = new DependencyCircuit({ name: 'temporal', probe: () => new Promise(() => undefined), probeTimeoutMs: 100, closedProbeEveryMs: 60_000 });
    const started = Date.now();
    expect(await circuit.probeNow()).toBe('open');
    expect(Date.now() - started).toBeLessThan(1_000);
    await circuit.stop();
  });
});

describe('outages as problems', () => {
  const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

  it('maps refused Temporal calls, Temporal deadlines and Redis connection errors to 503 naming the dependency', () => {
    const refused = outageOf(new Error('wrapped', { cause: grpcError(GrpcStatus.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1') }));
    expect(refused).toMatchObject({ dependency: 'temporal', notSent: true });
    const late = outageOf(grpcError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'));
    expect(late).toMatchObject({ dependency: 'temporal', notSent: false });
    expect(outageOf(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toMatchObject({ dependency: 'redis', notSent: true });
    expect(outageOf(new Error('Command timed out'))).toMatchObject({ dependency: 'redis', notSent: false });
    expect(outageOf(grpcError(GrpcStatus.NOT_FOUND, 'workflow not found'))).toBeUndefined();
    expect(outageOf(new Error('ERR syntax error'))).toBeUndefined();

    const problem = problems.dependencyUnavailable(refused!).problem;
    expect(problem).toMatchObject({ status: 503, type: 'urn:tandem:problem:dependency-unavailable', dependency: 'temporal', recorded: 'no', title: 'Temporal is unavailable' });
    expect(problem.detail).toMatch(/Nothing was recorded/);
    expect(problems.dependencyUnavailable(late!).problem).toMatchObject({ recorded: 'unknown' });
  });
});
