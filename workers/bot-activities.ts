// The bot worker's activities: the bot steps of every process folder found (its `bot-steps.ts`,
// whose default export makes them from the runtime). Two processes may not declare one activity
// name: Temporal dispatches by name, so one would silently take the other's calls.
import type { BotRuntime } from '../activities/bots/bot-activity';
import { catalogue as thisCheckout, type ProcessCatalogue } from '../platform/process-catalogue';

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;
export type BotStepFactory = (runtime: BotRuntime) => Activities;

export async function createBotActivities(runtime: BotRuntime, catalogue: ProcessCatalogue = thisCheckout): Promise<Activities> {
  const factories: [string, BotStepFactory][] = [];
  for (const folder of catalogue.folders) {
    if (!folder.botStepsModule) continue;
    const factory = ((await import(folder.botStepsModule)) as { default?: unknown }).default;
    if (typeof factory !== 'function') throw new Error(`workflows/${folder.definition.name}/bot-steps.ts must default-export the function that makes its bot steps`);
    factories.push([folder.definition.name, factory as BotStepFactory]);
  }
  return mergeActivities(factories.map(([process, factory]) => [process, factory(runtime)]));
}

/** Merges processes' activities, refusing a name two of them declare. */
export function mergeActivities(byProcess: [process: string, activities: Activities][]): Activities {
  const merged: Activities = {};
  const owner = new Map<string, string>();
  for (const [process, activities] of byProcess) {
    for (const [name, activity] of Object.entries(activities)) {
      const first = owner.get(name);
      if (first !== undefined) throw new Error(`Activity "${name}" is declared by both ${first} and ${process}: activity names must be unique across processes`);
      owner.set(name, process);
      merged[name] = activity;
    }
  }
  return merged;
}
