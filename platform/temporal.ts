// The one place Tandem connects to Temporal. Clients and workers take the same data converter from
// configuration (payload encryption when keys are configured), so no process writes history in
// clear by forgetting it. Codecs run outside the workflow sandbox: the workflow bundle is unchanged.
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { TandemConfig } from './config';
import { createLogger } from './logger';
import { AesGcmPayloadCodec, Keyring } from './payload-codec';
import { temporalTls } from './tls';

export interface TemporalClient {
  client: Client;
  close(): Promise<void>;
}

/** What `Worker.create` needs to reach Temporal; spread it into the worker's options. */
export interface WorkerTemporal {
  options: { connection: NativeConnection; namespace: string; dataConverter?: DataConverter };
  close(): Promise<void>;
}

// Said once per process, however many clients and workers it makes.
let toldEncryption = false;

/** The configured keys, or undefined when none are; a bad key or key file throws a KeyringError. */
export function loadKeyring(config: Pick<TandemConfig, 'payloadKeys'>): Keyring | undefined {
  const { keys, file } = config.payloadKeys;
  if (keys) return Keyring.parse(keys, 'TANDEM_PAYLOAD_KEYS');
  if (file) return Keyring.fromFile(file);
  return undefined;
}

/** Payload encryption for clients and workers alike; undefined (and one warning) without keys. */
export function temporalDataConverter(config: Pick<TandemConfig, 'payloadKeys' | 'logLevel'>, log?: Logger): DataConverter | undefined {
  const keyring = loadKeyring(config);
  if (!toldEncryption) {
    toldEncryption = true;
    log ??= createLogger('temporal', config.logLevel);
    if (keyring) log.info({ currentKeyId: keyring.currentKeyId, keyIds: keyring.keyIds }, 'payload encryption on');
    else log.warn('no payload encryption keys (TANDEM_PAYLOAD_KEYS or TANDEM_PAYLOAD_KEYS_FILE): workflow inputs, task forms and results are stored in clear in Temporal');
  }
  return keyring ? { payloadCodecs: [new AesGcmPayloadCodec(keyring)] } : undefined;
}

/** `connection`: more connection options (platform/dependencies: the circuit's interceptors);
 *  `lazy`: connect on the first call, so a process can start while Temporal is away. */
export async function connectClient(
  config: TandemConfig,
  options: { namespace?: string; log?: Logger; connection?: Partial<ConnectionOptions>; lazy?: boolean } = {},
): Promise<TemporalClient> {
  // Keys first: a bad key file fails before anything connects.
  const dataConverter = temporalDataConverter(config, options.log);
  const connectionOptions = { address: config.temporal.address, tls: temporalTls(config), ...options.connection };
  const connection = options.lazy ? Connection.lazy(connectionOptions) : await Connection.connect(connectionOptions);
  return {
    client: new Client({ connection, namespace: options.namespace ?? config.temporal.namespace, dataConverter }),
    close: () => connection.close(),
  };
}

export async function connectWorker(config: TandemConfig, options: { log?: Logger } = {}): Promise<WorkerTemporal> {
  const dataConverter = temporalDataConverter(config, options.log);
  // Loaded here, not at the top: the API imports this module and never needs the worker's native bridge.
  const { NativeConnection } = await import('@temporalio/worker');
  const connection = await NativeConnection.connect({ address: config.temporal.address, tls: temporalTls(config) });
  return { options: { connection, namespace: config.temporal.namespace, dataConverter }, close: () => connection.close() };
}
