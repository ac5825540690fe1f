// Types of import-graph.js (plain JavaScript, so eslint.config.js can load it too).
export interface ImportEdge {
  from: string;
  to: string;
  /** Nothing of the target is there at run time (`import type`, or a type position). */
  typeOnly: boolean;
}
export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
}
export interface ImportCycle {
  /** Every module of the group that reach one another. */
  modules: string[];
  /** One way round: the first module, the modules it passes, the first module again. */
  circle: string[];
}
export function sourceFiles(root: string): string[];
export function importsOf(text: string, fileName?: string): Array<{ specifier: string; typeOnly: boolean }>;
export function resolveImport(root: string, from: string, specifier: string): string | undefined;
export function readGraph(root: string): ImportGraph;
export function bundleEntries(root: string): string[];
export function bundleFiles(root: string, graph?: ImportGraph): string[];
export function cycles(graph: ImportGraph): ImportCycle[];
