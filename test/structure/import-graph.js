// The import graph of our TypeScript source, read with the compiler's own parser (no new tool):
// which module imports which, whether only for types, and which files the workflow bundle takes
// in. Plain JavaScript, so eslint.config.js can fence exactly the bundle's files with it, and the
// structure test (import-graph.test.ts) can check cycles and layers on the same graph.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/** Folders that are not our source: dependencies, local state, generated output. */
const SKIPPED = new Set(['node_modules', 'out', 'histories', 'public']);

/** Every .ts file of the tree at `root`, as paths relative to it with `/`, sorted. */
export function sourceFiles(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
    }
  };
  walk('');
  return found.sort();
}

/**
 * The imports of one file: static imports and re-exports, `import()` with a literal, and
 * `import('…')` in type positions. `typeOnly` when nothing of the target is there at run time
 * (`import type`, every named binding `type`, or a type position).
 */
export function importsOf(text, fileName = 'module.ts') {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnly(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isTypeOnly(node) {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    return !!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (!clause) return false; // `import './x'` runs x
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** The file a relative specifier names, as a path relative to `root`; undefined for a package or a non-TS file. */
export function resolveImport(root, from, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = join(root, dirname(from), specifier);
  const stem = base.replace(/\.(js|ts)$/, '');
  for (const candidate of [`${stem}.ts`, join(stem, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(root, candidate).split(sep).join('/');
  }
  return undefined;
}

/** The whole graph: one node per source file, one edge per import of another source file. */
export function readGraph(root) {
  const files = sourceFiles(root);
  const edges = [];
  for (const from of files) {
    for (const { specifier, typeOnly } of importsOf(readFileSync(join(root, from), 'utf8'), from)) {
      const to = resolveImport(root, from, specifier);
      if (to && to !== from) edges.push({ from, to, typeOnly });
    }
  }
  return { files, edges };
}

/**
 * The modules the orchestration worker's bundle starts from: what workers/workflow-source.ts
 * writes into its generated entry (the engine's batch, webhook and schedule workflows, each
 * process's workflow and definition). The structure test checks this list against that entry.
 */
export function bundleEntries(root) {
  const processes = readdirSync(join(root, 'workflows'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'engine' && !/^[._]/.test(e.name))
    .map((e) => e.name)
    .sort();
  return [
    'workflows/engine/item-batch-workflow.ts',
    'workflows/engine/webhook-subscription.ts',
    'workflows/engine/scheduled-start.ts',
    'workflows/engine/service-report.ts',
    'workflows/engine/qa-policy-record.ts',
    ...processes.flatMap((p) => [`workflows/${p}/workflow.ts`, `workflows/${p}/definition.ts`]),
  ].filter((f) => existsSync(join(root, f)));
}

/** Every file the bundle includes: the entries and what they import for more than types, transitively. */
export function bundleFiles(root, graph = readGraph(root)) {
  const runtime = new Map();
  for (const e of graph.edges) if (!e.typeOnly) runtime.set(e.from, [...(runtime.get(e.from) ?? []), e.to]);
  const seen = new Set();
  const queue = bundleEntries(root);
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...(runtime.get(file) ?? []));
  }
  return [...seen].sort();
}

/** The import cycles: each group of modules that reach one another (Tarjan), with one circle through it. */
export function cycles(graph) {
  const next = new Map(graph.files.map((f) => [f, []]));
  for (const e of graph.edges) next.get(e.from)?.push(e.to);
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const connect = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const f of graph.files) if (!index.has(f)) connect(f);
  return groups.map((modules) => ({ modules, circle: circleThrough(modules, next) }));
}

/** A shortest way from the group's first module back to itself, staying inside the group. */
function circleThrough(modules, next) {
  const inGroup = new Set(modules);
  const start = modules[0];
  const cameFrom = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of next.get(v) ?? []) {
      if (!inGroup.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]));
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}
