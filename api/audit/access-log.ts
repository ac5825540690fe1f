// API access records: who read or changed which client's data, when, from where. Appended to one
// Redis stream per client (append-only, capped), and merged with the runs' Temporal history in the
// client's audit view (api/routes/client-audit.ts).
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const AccessRecord = z.object({
  at: z.string(),
  principal: z.string(),
  kind: z.enum(['operator', 'service']),
  roles: z.array(z.string()),
  method: z.string(),
  route: z.string().describe('The route pattern, e.g. /tasks/:taskId/complete'),
  url: z.string(),
  status: z.number().int(),
  ip: z.string(),
  requestId: z.string(),
});
export type AccessRecord = z.infer<typeof AccessRecord>;

/** Per client, about a year of a busy floor; older records are trimmed first. */
const MAX_RECORDS = 1_000_000;

export class AccessLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async record(clients: Iterable<string>, record: AccessRecord): Promise<void> {
    const body = JSON.stringify(record);
    const pipeline = this.redis.pipeline();
    for (const client of clients) pipeline.xadd(this.key(client), 'MAXLEN', '~', MAX_RECORDS, '*', 'r', body);
    await pipeline.exec();
  }

  /** Records of one client between two times, oldest first. */
  async read(client: string, since: Date, until: Date, limit: number): Promise<AccessRecord[]> {
    // Stream ids are milliseconds since 1970 (Redis refuses a negative one): nothing is older.
    if (until.getTime() < 0) return [];
    const entries = await this.redis.xrange(this.key(client), String(Math.max(0, since.getTime())), String(until.getTime()), 'COUNT', limit);
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as AccessRecord);
  }

  private key(client: string): string {
    return `${this.prefix}:access:${client}`;
  }
}
