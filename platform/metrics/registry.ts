// Prometheus metrics: one registry per component (the API, a worker), plus the Node process's own
// default metrics, collected once per process however many registries it makes (tests build many
// apps in one process). Every Tandem metric is named `tandem_…`; the helpers refuse other names.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Registry };
export type { Counter, Gauge, Histogram };

/** The text exposition format Prometheus scrapes. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

let processRegistry: Registry | undefined;

/** CPU, memory, heap, event loop lag, GC, open handles: `process_*` and `nodejs_*`, unprefixed so
 *  standard Node.js dashboards work on them. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createRegistry(): Registry {
  return new Registry();
}

/** The scrape: this component's metrics after the process's default ones. */
export async function renderMetrics(registry: Registry): Promise<string> {
  const [process, own] = await Promise.all([processMetrics().metrics(), registry.metrics()]);
  return `${process}\n${own}`;
}

function checkName(name: string): void {
  if (!/^tandem_[a-z0-9_]+$/.test(name)) throw new Error(`Metric ${name} must be named tandem_<snake_case>`);
}

export interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/** A counter (name ends in `_total`) registered in `registry`; the same name twice returns the first. */
export function tandemCounter<L extends string>(registry: Registry, spec: MetricSpec<L>): Counter<L> {
  checkName(spec.name);
  if (!spec.name.endsWith('_total')) throw new Error(`Counter ${spec.name} must end in _total`);
  const existing = registry.getSingleMetric(spec.name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [], registers: [registry] });
}

/** A histogram of seconds (name ends in `_seconds`) with the given bucket bounds. */
export function tandemHistogram<L extends string>(registry: Registry, spec: MetricSpec<L> & { buckets: number[] }): Histogram<L> {
  checkName(spec.name);
  if (!spec.name.endsWith('_seconds')) throw new Error(`Histogram ${spec.name} must measure seconds and end in _seconds`);
  const existing = registry.getSingleMetric(spec.name);
  if (existing) return existing as Histogram<L>;
  return new Histogram({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [], buckets: spec.buckets, registers: [registry] });
}

/** A gauge whose values are read at scrape time by `collect` (which should reset it first). */
export function tandemGauge<L extends string>(registry: Registry, spec: MetricSpec<L> & { collect?: (gauge: Gauge<L>) => Promise<void> | void }): Gauge<L> {
  checkName(spec.name);
  const existing = registry.getSingleMetric(spec.name);
  if (existing) return existing as Gauge<L>;
  const collect = spec.collect;
  return new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    ...(collect ? { collect(this: Gauge<L>) { return collect(this); } } : {}),
  });
}
