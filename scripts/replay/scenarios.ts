// Each process brings the scenario that records its runs for the replay gate, in its own folder
// (workflows/<process>/replay-scenario.ts, default export): found here like its definition is.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessCatalogue } from '../../platform/process-catalogue';
import type { Scenario } from './scenario-kit';

export async function discoverScenarios(catalogue: ProcessCatalogue): Promise<Record<string, Scenario>> {
  const found: Record<string, Scenario> = {};
  for (const folder of catalogue.folders) {
    const path = join(folder.folder, 'replay-scenario.ts');
    if (!existsSync(path)) continue;
    const scenario = ((await import(path)) as { default?: Scenario }).default;
    if (typeof scenario !== 'function') throw new Error(`workflows/${folder.definition.name}/replay-scenario.ts must export its scenario as default`);
    found[folder.definition.name] = scenario;
  }
  return found;
}
