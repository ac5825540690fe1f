// docker-compose.yml is for our users' production stacks and no Docker engine runs here, so its
// consistency with the code is checked here: it parses, every Tandem process it starts exists,
// every secret it mounts is declared, and its search attributes are the ones the code uses.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../platform/config';
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

// Transport security as deployed: the compose file must turn on what the cluster profile runs (mTLS
// to the Temporal frontend and between its services, TLS-only Redis with client certificates), with
// the variable names the code and the server configuration read, and files that are really mounted.
describe('docker-compose.yml runs TLS where the cluster profile does', () => {
  const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
  const clusterScript = read('scripts/lib/cluster.sh');
  const serverConfig = read('deploy/temporal-server.yaml');
  const app = ['api', 'orchestration-worker', 'bot-worker', 'notifier'];
  const secretPath = (service: Service, path: string) => {
    const name = /^\/run\/secrets\/([\w-]+)$/.exec(path)?.[1];
    return name !== undefined && (service.secrets ?? []).includes(name);
  };
  const text = (service: Service) => JSON.stringify([service.environment ?? {}, service.command ?? [], (service as { healthcheck?: unknown }).healthcheck ?? {}]);

  it('mounts every TLS file a service names', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [, secret] of text(service).matchAll(/\/run\/secrets\/(tandem_tls_[\w-]+)/g)) {
        expect(service.secrets, `${name} names /run/secrets/${secret}`).toContain(secret);
      }
    }
  });

  it('gives every Tandem process a TLS configuration the code accepts: mTLS to Temporal, rediss:// with a client certificate', () => {
    for (const name of app) {
      // As compose runs it with nothing set: each ${VAR:-default} is its default.
      const env = Object.fromEntries(Object.entries(compose.services[name]!.environment!).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]).filter(([, v]) => v !== ''));
      const config = loadConfig(env);
      expect(config.redis.url, name).toMatch(/^rediss:\/\/redis:/);
      for (const tls of [config.temporal.tls, config.redis.tls]) {
        expect(tls, name).toBeDefined();
        for (const file of [tls!.caFile, tls!.certFile, tls!.keyFile]) expect(secretPath(compose.services[name]!, file!), `${name} mounts ${file}`).toBe(true);
      }
      // The frontend's certificate names the service the apps dial.
      expect(config.temporal.tls!.serverName, name).toBe(compose.services.temporal!.environment!.TEMPORAL_SERVER_TLS_NAME);
      expect(config.temporal.address.split(':')[0], name).toBe(config.temporal.tls!.serverName);
    }
  });

  it('starts the Temporal server with the TLS variables its configuration reads, as the cluster profile does', () => {
    const tlsVars = [...new Set([...serverConfig.matchAll(/env "(TEMPORAL_SERVER_TLS_[A-Z_]+)"/g)].map((m) => m[1]!))].sort();
    expect(tlsVars).toEqual(['TEMPORAL_SERVER_TLS_CA', 'TEMPORAL_SERVER_TLS_CERT', 'TEMPORAL_SERVER_TLS_KEY', 'TEMPORAL_SERVER_TLS_NAME']);
    expect(serverConfig).toMatch(/requireClientAuth: true[\s\S]*internode:[\s\S]*requireClientAuth: true/);
    const temporal = compose.services.temporal!;
    for (const name of tlsVars) {
      expect(temporal.environment, `compose sets ${name}`).toHaveProperty(name);
      expect(clusterScript, `the cluster profile sets ${name}`).toContain(`${name}=`);
    }
    for (const name of tlsVars.filter((v) => v !== 'TEMPORAL_SERVER_TLS_NAME')) expect(secretPath(temporal, temporal.environment![name]!), name).toBe(true);
  });

  it('lets the admin tools and the UI in with the client certificate', () => {
    const admin = compose.services['temporal-admin-tools']!;
    const script = (admin.command as string[]).join('\n');
    const calls = script.split('\n').filter((line) => /\btemporal operator\b/.test(line));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call, call).toContain('$$TEMPORAL_TLS_FLAGS');
    expect(admin.environment!.TEMPORAL_TLS_FLAGS).toMatch(/--tls-cert-path \/run\/secrets\/\S+ .*--tls-server-name temporal/s);
    const ui = compose.services['temporal-ui']!.environment!;
    for (const name of ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']) expect(secretPath(compose.services['temporal-ui']!, ui[name]!), name).toBe(true);
  });

  it('runs Redis on TLS only, wanting client certificates, in compose and in the cluster profile', () => {
    const args = compose.services.redis!.command as string[];
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--port')).toBe('0');
    expect(flag('--tls-port')).toBe('6379');
    expect(flag('--tls-auth-clients')).toBe('yes');
    for (const name of ['--tls-cert-file', '--tls-key-file', '--tls-ca-cert-file']) {
      expect(secretPath(compose.services.redis!, flag(name)!), name).toBe(true);
      expect(clusterScript, `the cluster profile passes ${name}`).toContain(`${name} `);
    }
    expect(clusterScript).toMatch(/REDIS_LISTEN=\(--port 0 --tls-port "\$REDIS_PORT"/);
    expect(clusterScript).toContain('--tls-auth-clients yes');
  });
});
