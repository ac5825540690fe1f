// A webhook receiver for tests: an HTTP server on 127.0.0.1 that records every request and
// answers what the test says (503 for a while, then 200), and can start listening late (a
// receiver that is down when the first attempts come).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  at: number;
}

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** The status to answer the n-th request (from 1) with. Default: always 200. */
  answer: (n: number, request: { path: string }) => number = () => 200;
  /** How long to wait before answering (a slow receiver). */
  delayMs = 0;
  private server?: Server;

  private constructor(readonly port: number) {}

  /** A receiver on a free port, listening unless `listening: false` (then call listen() later). */
  static async start(options: { listening?: boolean } = {}): Promise<Receiver> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const receiver = new Receiver(port);
    if (options.listening !== false) await receiver.listen();
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests to this path that were answered 2xx. */
  delivered(path = '/hook'): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path && r.status >= 200 && r.status < 300);
  }

  received(path = '/hook'): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        const status = this.answer(this.received(path).length + 1, { path });
        this.requests.push({ path, headers: req.headers, body, status, at: Date.now() });
        setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now'), this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
