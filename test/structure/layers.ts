// The layers of the source tree, lowest first: a module may import its own layer and the ones
// below, never one above (checked by import-graph.test.ts, type imports included: a type is a
// dependency on what its module means). The contract is the ground floor every runtime shares;
// the workflow engine and the process folders' workflow code form the deterministic bundle;
// everything from platform/ up runs on Node.
export const LAYERS = [
  /** Update/Query/Signal definitions, views, actor and roles, failure names, activity contracts, search attributes. */
  'contract',
  /** The workflow engine: ProcessRun, TaskBook, item batches (in the bundle, deterministic). */
  'engine',
  /** Node plumbing: configuration, Temporal connections, logger, metrics, dependency circuits, the process catalogue. */
  'platform',
  /** The bot runtime (browser pool, login sessions, tracing) and the page objects of client apps. */
  'bots',
  /** What the API and workers are built from: the inbox index, webhooks, reporting. */
  'services',
  /** Activity factories taking those services (inbox sync, bot activity wrapper, credentials…). */
  'activities',
  /** A process folder: its declaration, workflow, schemas, item handlers, and its bot steps (run on the bot worker). */
  'processes',
  /** What is run: the API, the workers, the CLI, the sandbox apps, scripts, benches, chaos drills, tests. */
  'entry points',
] as const;
export type Layer = (typeof LAYERS)[number];

/**
 * Where each file belongs: the first pattern its path matches (`*` within a folder name, `**` any
 * depth). Tests and recording scenarios sit in the top layer wherever they live: they drive the
 * system from outside.
 */
export const PLACES: ReadonlyArray<readonly [pattern: string, layer: Layer]> = [
  ['**/*.test.ts', 'entry points'],
  ['workflows/*/replay-scenario.ts', 'entry points'],
  ['contract/**', 'contract'],
  ['workflows/engine/**', 'engine'],
  ['workflows/*/**', 'processes'],
  ['platform/**', 'platform'],
  ['bots/**', 'bots'],
  ['inbox/**', 'services'],
  ['notifications/**', 'services'],
  ['reporting/**', 'services'],
  ['activities/**', 'activities'],
  ['api/**', 'entry points'],
  ['workers/**', 'entry points'],
  ['cli/**', 'entry points'],
  ['sandbox/**', 'entry points'],
  ['scripts/**', 'entry points'],
  ['bench/**', 'entry points'],
  ['chaos/**', 'entry points'],
  ['test/**', 'entry points'],
  ['*.ts', 'entry points'],
];

/** The layers whose files the workflow bundle may take in (the determinism fence covers them where the bundle does). */
export const BUNDLE_LAYERS: readonly Layer[] = ['contract', 'engine', 'processes'];

const toRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split(/(\*\*\/|\*\*|\*)/)
      .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
const matchers = PLACES.map(([pattern, layer]) => [toRegExp(pattern), layer] as const);

/** The layer of a file (its path relative to the tree's root, with `/`); undefined if no pattern places it. */
export function layerOf(file: string): Layer | undefined {
  return matchers.find(([re]) => re.test(file))?.[1];
}

export const rank = (layer: Layer): number => LAYERS.indexOf(layer);
