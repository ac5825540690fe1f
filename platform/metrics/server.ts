// A worker's own scrape endpoint: a tiny node:http server answering GET /metrics (and
// GET /health/live). Metrics never take a worker down: a port that cannot be bound is logged and
// the worker runs on without it.
import { createServer, type Server } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { METRICS_CONTENT_TYPE, renderMetrics, type Registry } from './registry';

export interface MetricsServerOptions {
  registry: Registry;
  port: number;
  host: string;
  /** When set, scrapes must send `Authorization: Bearer <token>` (TANDEM_METRICS_TOKEN). */
  token?: string;
  log: Logger;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** True when no token is required, or the Authorization header carries exactly that bearer token. */
export function scrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const sent = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  // Compared as digests: equal lengths, constant time, whatever was sent.
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}

export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer | undefined> {
  const { registry, token, log } = options;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || (path !== '/metrics' && path !== '/health/live')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (path === '/health/live') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (!scrapeAllowed(request.headers.authorization, token)) {
      response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('send the metrics token as a bearer token\n');
      return;
    }
    renderMetrics(registry).then(
      (text) => response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text),
      (err: unknown) => {
        log.warn({ err }, 'metrics scrape failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    log.warn({ err, port: options.port }, 'metrics endpoint not started; the worker runs without it');
    return undefined;
  }
  const port = (server.address() as AddressInfo).port;
  log.info({ url: `http://${options.host}:${port}/metrics` }, 'metrics endpoint listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
