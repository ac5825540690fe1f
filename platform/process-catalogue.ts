// The processes this deployment offers, found on disk: every folder of workflows/ with a
// `definition.ts` is a process. Adding a process is adding its folder; the API (routes, JSON
// Schemas, OpenAPI), the orchestration worker's bundle entry and the bot worker's activities are
// all derived from what is found here, so no list repeats the processes.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProcessDefinition, type ProcessDefinition } from '../workflows/engine/process-definition';
import type { TaskForm } from '../workflows/engine/task-form';

/** The workflows folder of this checkout (a copy of the tree discovers its own). */
export const WORKFLOWS_DIR = fileURLToPath(new URL('../workflows', import.meta.url));

/** Folders of workflows/ that are not processes. */
const NOT_PROCESSES = new Set(['engine']);

export interface ProcessFolder {
  definition: ProcessDefinition;
  folder: string;
  /** The definition's module and export name (the bundle's scheduled-start launcher imports it). */
  definitionModule: string;
  definitionExport: string;
  /** The module exporting the workflow function (bundled for the orchestration worker). */
  workflowModule: string;
  /** The module whose default export makes the bot steps (loaded only on the bot worker). */
  botStepsModule?: string;
}

export class ProcessCatalogue {
  private constructor(
    readonly workflowsDir: string,
    readonly folders: readonly ProcessFolder[],
  ) {}

  /** Reads every process folder and checks what the bundle and the API rely on; a mistake fails here, at start. */
  static async discover(workflowsDir: string = WORKFLOWS_DIR): Promise<ProcessCatalogue> {
    const names = readdirSync(workflowsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !NOT_PROCESSES.has(e.name) && !/^[._]/.test(e.name) && existsSync(join(workflowsDir, e.name, 'definition.ts')))
      .map((e) => e.name)
      .sort(); // a stable order keeps the generated bundle entry, and so the bundle, the same run to run
    const folders: ProcessFolder[] = [];
    for (const name of names) folders.push(await readFolder(join(workflowsDir, name), name));
    assertUnique(folders.map((f) => [f.definition.workflowType, f.definition.name]), 'workflow type');
    assertUnique(folders.flatMap((f) => f.definition.taskForms.map((t) => [t.kind, f.definition.name] as [string, string])), 'task form kind');
    return new ProcessCatalogue(workflowsDir, folders);
  }

  get processes(): readonly ProcessDefinition[] {
    return this.folders.map((f) => f.definition);
  }

  find(name: string): ProcessDefinition | undefined {
    return this.processes.find((p) => p.name === name);
  }

  findTaskForm(kind: string): TaskForm | undefined {
    return this.processes.flatMap((p) => p.taskForms).find((f) => f.kind === kind);
  }
}

async function readFolder(folder: string, name: string): Promise<ProcessFolder> {
  const where = `workflows/${name}/definition.ts`;
  const definitionModule = join(folder, 'definition.ts');
  const exported = Object.entries((await import(definitionModule)) as Record<string, unknown>).filter(([, value]) => isProcessDefinition(value));
  if (exported.length !== 1) throw new Error(`${where} must export exactly one process (made with defineProcess); it exports ${exported.length}`);
  const [definitionExport, found] = exported[0]!;
  const definition = found as ProcessDefinition;
  if (definition.name !== name) throw new Error(`${where} declares process "${definition.name}"; a process's name is its folder's name ("${name}")`);
  const workflowModule = join(folder, 'workflow.ts');
  const workflows = existsSync(workflowModule) ? ((await import(workflowModule)) as Record<string, unknown>) : {};
  if (workflows[definition.workflowType] !== definition.workflow) {
    throw new Error(`workflows/${name}/workflow.ts must export the process's workflow function as \`${definition.workflowType}\``);
  }
  const botSteps = join(folder, 'bot-steps.ts');
  return { definition, folder, definitionModule, definitionExport, workflowModule, ...(existsSync(botSteps) ? { botStepsModule: botSteps } : {}) };
}

function assertUnique(pairs: [string, string][], what: string): void {
  const seen = new Map<string, string>();
  for (const [key, owner] of pairs) {
    const first = seen.get(key);
    if (first !== undefined) throw new Error(`${what} "${key}" is declared by both ${first} and ${owner}; it must be unique across processes`);
    seen.set(key, owner);
  }
}

/** This checkout's processes, found once per process at first import. */
export const catalogue = await ProcessCatalogue.discover();
