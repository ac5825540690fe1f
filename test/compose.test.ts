// docker-compose.yml is for our users' production stacks and no Docker engine runs here, so its
// consistency with the code is checked here: it parses, every Tandem process it starts exists,
// every secret it mounts is declared, and its search attributes are the ones the code uses.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { searchAttributeCliFlags } from '../workflows/engine/search-attributes';

interface Service {
  command?: string[] | string;
  secrets?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}
const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, unknown>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('starts every Tandem process from a file that exists', () => {
    const entries = Object.values(compose.services)
      .map((s) => (Array.isArray(s.command) ? s.command : []))
      .filter((c) => c[0] === 'npx' && c[1] === 'tsx')
      .map((c) => c[2]!);
    expect(entries.sort()).toEqual(['api/server.ts', 'workers/bot.ts', 'workers/notifier.ts', 'workers/orchestration.ts']);
    for (const file of entries) expect(existsSync(new URL(`../${file}`, import.meta.url)), file).toBe(true);
  });

  it('declares every secret it mounts and every service it depends on', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const secret of service.secrets ?? []) expect(compose.secrets, `${name} mounts ${secret}`).toHaveProperty(secret);
      for (const dep of Object.keys(service.depends_on ?? {})) expect(compose.services, `${name} depends on ${dep}`).toHaveProperty(dep);
    }
  });

  it('registers exactly the search attributes the workflows use', () => {
    const listed = compose.services['temporal-admin-tools']!.environment!.TANDEM_SEARCH_ATTRIBUTES!.split(/\s+/).filter(Boolean);
    expect(listed.sort()).toEqual(searchAttributeCliFlags().sort());
  });

  it('gives every process that talks to Temporal the payload keys', () => {
    for (const name of ['api', 'orchestration-worker', 'bot-worker']) expect(compose.services[name]!.secrets, name).toContain('tandem_payload_keys');
  });
});
