// Runtime configuration, read from the environment once and validated, for the API and workers.
// By default the environment sits on top of the local stack's env file (platform/local-stack.ts),
// so a script started by hand finds the stack the stack script started; the defaults below match
// scripts/lib/env.sh's fallbacks only loosely and matter only when there is neither.
import { resolve } from 'node:path';
import { z } from 'zod';
import { withLocalStack } from './local-stack';

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());
const optionalPort = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional());

const Env = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_UI_URL: z.string().url().optional(),
  TANDEM_TEMPORAL_UI_URL: z.string().url().optional(),
  TANDEM_PAYLOAD_KEYS: z.string().optional(),
  TANDEM_PAYLOAD_KEYS_FILE: z.string().optional(),
  // Transport security: files of PEM certificates. Unset (or empty) = a plain connection, as locally.
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_TLS_CA: z.string().optional(),
  REDIS_TLS_CERT: z.string().optional(),
  REDIS_TLS_KEY: z.string().optional(),
  TANDEM_REDIS_PREFIX: z.string().regex(/^[\w:-]+$/).default('tandem'),
  TANDEM_API_HOST: z.string().default('127.0.0.1'),
  TANDEM_API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  TANDEM_STATE_DIR: z.string().default('.state/dev'),
  TANDEM_ARTIFACTS_DIR: z.string().optional(),
  TANDEM_CREDENTIALS_FILE: z.string().optional(),
  TANDEM_CREDENTIALS_KEY: z.string().optional(),
  TANDEM_CREDENTIALS_KEY_FILE: z.string().optional(),
  TANDEM_LOGIN_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  TANDEM_ROSTER_FILE: z.string().optional(),
  TANDEM_JWT_SECRET: z.string().min(32).optional(),
  TANDEM_JWT_SECRET_FILE: z.string().optional(),
  TANDEM_JWKS_URL: z.string().url().optional(),
  TANDEM_JWT_ISSUER: z.string().default('tandem'),
  TANDEM_JWT_AUDIENCE: z.string().default('tandem-api'),
  TANDEM_API_KEYS_FILE: z.string().optional(),
  TANDEM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  TANDEM_WORKFLOW_BUNDLE: z.string().optional(),
  TANDEM_BOT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  TANDEM_ATTENDED_BOT_SLOTS: z.coerce.number().int().min(1).max(16).default(1),
  TANDEM_WEBHOOK_KEY: z.string().min(32).optional(),
  TANDEM_WEBHOOK_KEY_FILE: z.string().optional(),
  TANDEM_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  TANDEM_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(0).default(30_000),
  TANDEM_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  // Where the client applications live (compose passes `${VAR:-}`: empty means not configured).
  SANDBOX_CLAIMS_URL: optionalUrl,
  SANDBOX_PAYROLL_URL: optionalUrl,
  SANDBOX_CRM_URL: optionalUrl,
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  // Empty means unset (compose passes `${VAR:-}`): no token, no worker metrics endpoint.
  TANDEM_METRICS_TOKEN: z.union([z.literal(''), z.string().min(16, 'TANDEM_METRICS_TOKEN needs at least 16 characters')]).optional(),
  TANDEM_METRICS_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(15_000),
  TANDEM_METRICS_HOST: z.string().default('127.0.0.1'),
  TANDEM_BOT_METRICS_PORT: optionalPort,
  TANDEM_NOTIFIER_METRICS_PORT: optionalPort,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** PEM files of one TLS connection (platform/tls.ts reads them): the CA that signed the server,
 *  and this process's own certificate and key when the server wants client certificates (mTLS). */
export interface TlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** The name the server's certificate must carry, when it differs from the address's host. */
  serverName?: string;
}

/** A TLS block when any file is given (or `force`), undefined otherwise; a certificate without its key is an error. */
function tlsFiles(prefix: string, ca?: string, cert?: string, key?: string, serverName?: string, force = false): TlsFiles | undefined {
  const [caFile, certFile, keyFile] = [ca, cert, key].map((f) => (f ? resolve(f) : undefined));
  if (!caFile && !certFile && !keyFile && !serverName && !force) return undefined;
  if (Boolean(certFile) !== Boolean(keyFile)) throw new Error(`Invalid configuration: ${prefix}_CERT and ${prefix}_KEY go together (a client certificate needs its key)`);
  return { caFile, certFile, keyFile, serverName: serverName || undefined };
}

export interface TandemConfig {
  /** `uiUrl`: the Temporal Web UI, whose origin may call the codec endpoint from the browser. */
  temporal: { address: string; namespace: string; uiUrl?: string; tls?: TlsFiles };
  /** Payload encryption keys (`id:base64,…`, first current; a secret) or a file of them, one a
   *  line; `keys` wins. platform/temporal.ts reads them; neither set means histories in clear. */
  payloadKeys: { keys?: string; file?: string };
  /** `tls`: set when the URL is `rediss://` or a CA/certificate file is configured. */
  redis: { url: string; prefix: string; tls?: TlsFiles };
  api: { host: string; port: number };
  stateDir: string;
  artifactsDir: string;
  credentialsFile: string;
  /** Keys of the credential store (`id:base64,…`, first current; a secret) or a file of them, one a
   *  line, created by scripts/credentials.ts on first use; `keys` wins. */
  credentialsKey: { keys?: string; file: string };
  /** How long a bot's hold on a client login outlives a silent worker (renewed while it runs). */
  loginLeaseMs: number;
  rosterFile?: string;
  auth: {
    /** The shared secret's file; created for local use when neither a secret nor a JWKS URL is configured. */
    secretFile: string;
    secret?: string;
    jwksUrl?: string;
    issuer: string;
    audience: string;
    apiKeysFile?: string;
    ratePerMinute: number;
  };
  workflowBundle?: string;
  botConcurrency: number;
  /** Attended bot runs (a person waiting) one bot worker takes beside its unattended ones, on their own queue. */
  attendedBotSlots: number;
  /** Webhooks: the master key the signing secrets derive from (or the file a local stack keeps it
   *  in, created on first use), and how queued deliveries retry. See notifications/. */
  webhooks: { key?: string; keyFile: string; attempts: number; backoffMs: number; concurrency: number };
  apps: Record<string, string | undefined>;
  chromiumPath: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  metrics: {
    /** When set, every metrics endpoint wants `Authorization: Bearer <token>`; unset, they are open. */
    token?: string;
    /** How long the API reuses a reading of Temporal visibility and the inbox index (ms). */
    cacheMs: number;
    /** Where the workers' own metrics endpoints listen; no port = no endpoint. */
    host: string;
    botPort?: number;
    notifierPort?: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = withLocalStack(process.env)): TandemConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const stateDir = resolve(e.TANDEM_STATE_DIR);
  return {
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, uiUrl: e.TANDEM_TEMPORAL_UI_URL ?? e.TEMPORAL_UI_URL,
      tls: tlsFiles('TEMPORAL_TLS', e.TEMPORAL_TLS_CA, e.TEMPORAL_TLS_CERT, e.TEMPORAL_TLS_KEY, e.TEMPORAL_TLS_SERVER_NAME) },
    // Empty means unset: `TANDEM_PAYLOAD_KEYS_FILE=` turns the local stack's default key file off.
    payloadKeys: { keys: e.TANDEM_PAYLOAD_KEYS || undefined, file: e.TANDEM_PAYLOAD_KEYS_FILE ? resolve(e.TANDEM_PAYLOAD_KEYS_FILE) : undefined },
    redis: { url: e.REDIS_URL, prefix: e.TANDEM_REDIS_PREFIX,
      tls: tlsFiles('REDIS_TLS', e.REDIS_TLS_CA, e.REDIS_TLS_CERT, e.REDIS_TLS_KEY, undefined, e.REDIS_URL.startsWith('rediss:')) },
    api: { host: e.TANDEM_API_HOST, port: e.TANDEM_API_PORT },
    stateDir,
    artifactsDir: resolve(e.TANDEM_ARTIFACTS_DIR ?? `${stateDir}/artifacts`),
    credentialsFile: resolve(e.TANDEM_CREDENTIALS_FILE ?? `${stateDir}/credentials.json`),
    credentialsKey: { keys: e.TANDEM_CREDENTIALS_KEY || undefined, file: resolve(e.TANDEM_CREDENTIALS_KEY_FILE || `${stateDir}/credentials-key`) },
    loginLeaseMs: e.TANDEM_LOGIN_LEASE_MS,
    rosterFile: e.TANDEM_ROSTER_FILE,
    auth: {
      secretFile: resolve(e.TANDEM_JWT_SECRET_FILE ?? `${stateDir}/jwt-secret`),
      secret: e.TANDEM_JWT_SECRET,
      jwksUrl: e.TANDEM_JWKS_URL,
      issuer: e.TANDEM_JWT_ISSUER,
      audience: e.TANDEM_JWT_AUDIENCE,
      apiKeysFile: e.TANDEM_API_KEYS_FILE,
      ratePerMinute: e.TANDEM_RATE_LIMIT_PER_MINUTE,
    },
    workflowBundle: e.TANDEM_WORKFLOW_BUNDLE,
    botConcurrency: e.TANDEM_BOT_CONCURRENCY,
    attendedBotSlots: e.TANDEM_ATTENDED_BOT_SLOTS,
    webhooks: {
      key: e.TANDEM_WEBHOOK_KEY,
      keyFile: resolve(e.TANDEM_WEBHOOK_KEY_FILE ?? `${stateDir}/webhook-key`),
      attempts: e.TANDEM_WEBHOOK_ATTEMPTS,
      backoffMs: e.TANDEM_WEBHOOK_BACKOFF_MS,
      concurrency: e.TANDEM_WEBHOOK_CONCURRENCY,
    },
    apps: { 'claims-system': e.SANDBOX_CLAIMS_URL, 'payroll-portal': e.SANDBOX_PAYROLL_URL, 'client-crm': e.SANDBOX_CRM_URL },
    chromiumPath: e.CHROMIUM_PATH,
    logLevel: e.LOG_LEVEL,
    metrics: {
      token: e.TANDEM_METRICS_TOKEN || undefined,
      cacheMs: e.TANDEM_METRICS_CACHE_MS,
      host: e.TANDEM_METRICS_HOST,
      botPort: e.TANDEM_BOT_METRICS_PORT,
      notifierPort: e.TANDEM_NOTIFIER_METRICS_PORT,
    },
  };
}
