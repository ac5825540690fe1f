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

// The compose file's Temporal server and the local cluster profile's (scripts/lib/cluster.sh) must run
// one configuration: the same file, the same server version, the same schema steps.
describe('docker-compose.yml and the local cluster profile run one Temporal server configuration', () => {
  const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
  const serverConfig = read('deploy/temporal-server.yaml');
  const clusterScript = read('scripts/lib/cluster.sh');
  const temporal = compose.services.temporal! as Service & { image: string; volumes: string[]; command: string[] };
  /** The variables the server configuration reads, and which of them have no default there. */
  const configVars = [...serverConfig.matchAll(/(default "[^"]*" )?\(?env "([A-Z_]+)"\)?/g)].map((m) => ({ name: m[2]!, hasDefault: !!m[1] }));

  it('mounts deploy/temporal-server.yaml and starts the server with it', () => {
    const mount = temporal.volumes.find((v) => v.startsWith('./deploy/temporal-server.yaml:'));
    expect(mount, 'the server configuration is mounted').toBeDefined();
    const target = mount!.split(':')[1]!;
    expect(temporal.command.join('\n')).toContain(`--config-file ${target}`);
    expect(clusterScript).toContain('TEMPORAL_SERVER_CONFIG="$TANDEM_ROOT/deploy/temporal-server.yaml"');
    expect(clusterScript).toMatch(/--config-file "\$TEMPORAL_SERVER_CONFIG"/);
  });

  it('runs the server version the cluster profile builds, and admin tools of that version', () => {
    const built = /TEMPORAL_SERVER_VERSION="\$\{TEMPORAL_SERVER_VERSION:-v([\d.]+)\}"/.exec(read('scripts/ensure-temporal-server.sh'))?.[1];
    expect(built).toMatch(/^\d+\.\d+\.\d+$/);
    expect(temporal.image).toBe(`temporalio/server:\${TEMPORAL_VERSION:-${built}}`);
    for (const name of ['temporal-schema', 'temporal-admin-tools']) {
      expect((compose.services[name] as { image: string }).image, name).toBe(`temporalio/admin-tools:\${TEMPORAL_VERSION:-${built}}`);
    }
  });

  it('sets every variable the configuration needs, and only variables it reads', () => {
    expect(serverConfig.split('\n')[0]).toBe('# enable-template');
    const names = new Set(configVars.map((v) => v.name));
    for (const name of Object.keys(temporal.environment!)) expect(names, `${name} is read by deploy/temporal-server.yaml`).toContain(name);
    for (const { name } of configVars.filter((v) => !v.hasDefault)) expect(temporal.environment, `compose sets ${name}`).toHaveProperty(name);
    // Bound to every interface in a container: the services must be told the container's address.
    expect(temporal.environment!.TEMPORAL_BIND_IP).toBe('0.0.0.0');
    expect(temporal.command.join('\n')).toContain('TEMPORAL_BROADCAST_ADDRESS');
  });

  it('prepares both databases with the same idempotent schema steps', () => {
    const steps = (text: string) => ['create-database', 'setup-schema -v 0.0', 'update-schema --schema-name'].map((step) => text.includes(step));
    const schemaJob = (compose.services['temporal-schema'] as { command: string[] }).command.join('\n');
    expect(steps(schemaJob)).toEqual([true, true, true]);
    expect(steps(clusterScript)).toEqual([true, true, true]);
    for (const text of [schemaJob, clusterScript]) expect(text).toMatch(/temporal:temporal temporal_visibility:visibility/);
  });
});
