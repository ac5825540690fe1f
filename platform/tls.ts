// Transport security of Tandem's two connections, Temporal and Redis, from the PEM files that
// configuration names (platform/config.ts). Files are read when a connection is made, so a rotated
// certificate is picked up by restarting the process; nothing configured means a plain connection.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { RedisOptions } from 'ioredis';
import type { TandemConfig, TlsFiles } from './config';

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read the ${what} file ${file}: ${(err as Error).message}`);
  }
}

/** The `tls` option of a Temporal Connection/NativeConnection, or undefined for a plain one. */
export function temporalTls(config: Pick<TandemConfig, 'temporal'>): TLSConfig | undefined {
  const files = config.temporal.tls;
  if (!files) return undefined;
  return {
    serverRootCACertificate: files.caFile ? read(files.caFile, 'TEMPORAL_TLS_CA') : undefined,
    clientCertPair: files.certFile && files.keyFile ? { crt: read(files.certFile, 'TEMPORAL_TLS_CERT'), key: read(files.keyFile, 'TEMPORAL_TLS_KEY') } : undefined,
    serverNameOverride: files.serverName,
  };
}

/** ioredis's `tls` option for these files (Node's tls.connect options). */
export function redisTlsOptions(files: TlsFiles): NonNullable<RedisOptions['tls']> {
  return {
    ca: files.caFile ? read(files.caFile, 'REDIS_TLS_CA') : undefined,
    cert: files.certFile ? read(files.certFile, 'REDIS_TLS_CERT') : undefined,
    key: files.keyFile ? read(files.keyFile, 'REDIS_TLS_KEY') : undefined,
    servername: files.serverName,
  };
}

/** `options` plus the configured TLS; a `redis://` URL with no TLS files gets `options` unchanged. */
export function redisOptions(redis: Pick<TandemConfig['redis'], 'tls'>, options: RedisOptions = {}): RedisOptions {
  return redis.tls ? { ...options, tls: redisTlsOptions(redis.tls) } : options;
}
