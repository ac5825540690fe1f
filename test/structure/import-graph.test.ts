// The import graph of the source tree: no cycle, no import from a lower layer to a higher one
// (layers.ts), and a workflow bundle made of deterministic layers only. Its figures are printed
// on every run, so a change that adds edges or files shows in the log.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowEntry } from '../../workers/workflow-source';
import { bundleEntries, bundleFiles, cycles, importsOf, readGraph, type ImportEdge, type ImportGraph } from './import-graph.js';
import { BUNDLE_LAYERS, layerOf, rank, type Layer } from './layers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const graph = readGraph(ROOT);

/** Imports from a lower layer into a higher one. */
function upwardImports(g: ImportGraph, placeOf: (file: string) => Layer | undefined = layerOf): Array<ImportEdge & { fromLayer: Layer; toLayer: Layer }> {
  return g.edges.flatMap((e) => {
    const [fromLayer, toLayer] = [placeOf(e.from), placeOf(e.to)];
    return fromLayer && toLayer && rank(toLayer) > rank(fromLayer) ? [{ ...e, fromLayer, toLayer }] : [];
  });
}

const found = { cycles: cycles(graph), upward: upwardImports(graph), bundle: bundleFiles(ROOT, graph) };
console.log(
  `import graph: ${graph.files.length} modules, ${graph.edges.length} edges (${graph.edges.filter((e) => e.typeOnly).length} type-only), ` +
    `${found.cycles.length} cycles (${found.cycles.reduce((n, c) => n + c.modules.length, 0)} modules in them), ` +
    `${found.upward.length} upward imports, ${found.bundle.length} files in the workflow bundle`,
);

describe('the import graph', () => {
  it('places every source file in a layer', () => {
    expect(graph.files.filter((f) => !layerOf(f))).toEqual([]);
  });

  it('has no cycle', () => {
    expect(found.cycles.map((c) => c.circle.join(' → '))).toEqual([]);
  });

  it('has no import from a lower layer into a higher one', () => {
    expect(found.upward.map((e) => `${e.from} (${e.fromLayer}) → ${e.to} (${e.toLayer})`)).toEqual([]);
  });

  it('bundles only the contract, the engine and the process folders', () => {
    expect(found.bundle.filter((f) => !BUNDLE_LAYERS.includes(layerOf(f)!))).toEqual([]);
  });

  it('is what the lint fence covers, with no file left out by name', async () => {
    // By URL: the config is plain JavaScript, without types.
    const config = ((await import(new URL('../../eslint.config.js', import.meta.url).href)) as { default: Array<{ files?: string[]; ignores?: string[]; rules?: Record<string, unknown> }> }).default;
    const fences = config.filter((c) => c.rules?.['@typescript-eslint/no-restricted-imports']);
    expect(fences).toHaveLength(1);
    expect(fences[0]!.ignores).toBeUndefined();
    expect(found.bundle.filter((f) => !fences[0]!.files!.includes(f))).toEqual([]);
  });

  it('knows every module the generated bundle entry starts from (the lint fence starts there too)', () => {
    const entry = workflowEntry();
    const starts = importsOf(readFileSync(entry, 'utf8')).map((i) => relative(ROOT, i.specifier));
    expect(starts.length).toBeGreaterThan(3);
    expect(starts.filter((s) => !bundleEntries(ROOT).includes(s))).toEqual([]);
  });
});

describe('the checker', () => {
  const tiny: ImportGraph = {
    files: ['contract/a.ts', 'workflows/engine/b.ts', 'workflows/engine/c.ts', 'api/d.ts'],
    edges: [
      { from: 'workflows/engine/b.ts', to: 'workflows/engine/c.ts', typeOnly: false },
      { from: 'workflows/engine/c.ts', to: 'workflows/engine/b.ts', typeOnly: true },
      { from: 'contract/a.ts', to: 'api/d.ts', typeOnly: true },
      { from: 'api/d.ts', to: 'contract/a.ts', typeOnly: false },
    ],
  };

  it('finds a cycle, type imports included', () => {
    expect(cycles(tiny).map((c) => c.circle)).toEqual(
      expect.arrayContaining([['workflows/engine/b.ts', 'workflows/engine/c.ts', 'workflows/engine/b.ts'], ['api/d.ts', 'contract/a.ts', 'api/d.ts']]),
    );
  });

  it('finds an upward import', () => {
    expect(upwardImports(tiny).map((e) => `${e.from} → ${e.to}`)).toEqual(['contract/a.ts → api/d.ts']);
  });

  it('reads every kind of import, and which are for types only', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "import { type C, type D } from './c';",
      "import { type E, f } from './e';",
      "export * from './g';",
      "export type { H } from './h';",
      "import './side-effect';",
      "const later = () => import('./lazy');",
      "type T = import('./typed').T;",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './a', typeOnly: false },
      { specifier: './b', typeOnly: true },
      { specifier: './c', typeOnly: true },
      { specifier: './e', typeOnly: false },
      { specifier: './g', typeOnly: false },
      { specifier: './h', typeOnly: true },
      { specifier: './side-effect', typeOnly: false },
      { specifier: './lazy', typeOnly: false },
      { specifier: './typed', typeOnly: true },
    ]);
  });
});
