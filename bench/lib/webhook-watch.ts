// The outage drill's webhook receiver: what the notifier delivers, by event, with arrival times,
// so a drill can tell that an event raised while a dependency was away went out once afterwards.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  at: number;
  event: { id: string; type: string; runId: string };
}

export class WebhookWatch {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly arrivals: Arrival[],
  ) {}

  static async start(): Promise<WebhookWatch> {
    const arrivals: Arrival[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        try {
          arrivals.push({ at: Date.now(), event: JSON.parse(body) as Arrival['event'] });
        } catch {
          // not an event: ignored, answered all the same
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new WebhookWatch(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, arrivals);
  }

  /** Arrivals of the events that match, oldest first. */
  of(match: (event: Arrival['event']) => boolean): Arrival[] {
    return this.arrivals.filter((a) => match(a.event));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
