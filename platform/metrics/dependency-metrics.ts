// Which dependency is away and since when, as the process's circuits see it (platform/dependencies).
import type { DependencyCircuit } from '../dependencies/circuit';
import { tandemGauge, type Registry } from './registry';

export function dependencyMetrics(registry: Registry, circuits: readonly DependencyCircuit[]): void {
  tandemGauge(registry, {
    name: 'tandem_dependency_up',
    help: 'Whether this process can reach the dependency (1) or its circuit is open or half-open (0): temporal, redis',
    labelNames: ['dependency'],
    collect(gauge) {
      for (const c of circuits) gauge.set({ dependency: c.name }, c.isClosed ? 1 : 0);
    },
  });
  tandemGauge(registry, {
    name: 'tandem_dependency_circuit_state',
    help: 'The circuit of each dependency: 1 for its current state (closed, open, half-open), 0 for the others',
    labelNames: ['dependency', 'state'],
    collect(gauge) {
      for (const c of circuits) for (const state of ['closed', 'open', 'half-open']) gauge.set({ dependency: c.name, state }, c.state === state ? 1 : 0);
    },
  });
  tandemGauge(registry, {
    name: 'tandem_dependency_state_since_timestamp_seconds',
    help: 'When the dependency entered its current state (Unix time): since when it is away, or back',
    labelNames: ['dependency'],
    collect(gauge) {
      for (const c of circuits) gauge.set({ dependency: c.name }, c.since.getTime() / 1000);
    },
  });
}
