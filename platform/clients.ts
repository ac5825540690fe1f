// The client directory: the companies Tandem works for, as data (id, display name, time zone), so
// pages show "Acme Health" rather than `acme-health`. Runs, tokens and the roster name clients by
// id; this is where an id becomes a name. A deployment names its own file with TANDEM_CLIENTS_FILE
// (a JSON array of entries); the demo's three clients are the default.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ClientId } from '../workflows/engine/common-schemas';
import { isTimeZone } from '../workflows/engine/business-calendar';

export const ClientEntry = z
  .object({
    id: ClientId,
    name: z.string().trim().min(1).max(120).describe('The client’s display name, e.g. Acme Health'),
    timeZone: z.string().refine(isTimeZone, 'Not an IANA time zone (e.g. Europe/Berlin)').describe('Where the client works: its calendar’s time zone'),
  })
  .strict();
export type ClientEntry = z.infer<typeof ClientEntry>;

const ClientFile = z.array(ClientEntry).max(10_000);

/** The demo's clients (their sandbox applications live in sandbox/). */
export const DEMO_CLIENTS: readonly ClientEntry[] = [
  { id: 'acme-health', name: 'Acme Health', timeZone: 'America/New_York' },
  { id: 'globex-insurance', name: 'Globex Insurance', timeZone: 'Europe/Berlin' },
  { id: 'initech', name: 'Initech', timeZone: 'America/Chicago' },
];

export class ClientDirectory {
  private readonly byId: Map<string, ClientEntry>;

  constructor(entries: readonly ClientEntry[]) {
    const parsed = ClientFile.parse(entries);
    this.byId = new Map(parsed.map((c) => [c.id, c]));
    if (this.byId.size !== parsed.length) throw new Error('The client directory names a client twice');
  }

  static fromFile(path: string): ClientDirectory {
    return new ClientDirectory(ClientFile.parse(JSON.parse(readFileSync(path, 'utf8'))));
  }

  /** TANDEM_CLIENTS_FILE when set, else the demo's clients. */
  static load(env: NodeJS.ProcessEnv = process.env): ClientDirectory {
    return env.TANDEM_CLIENTS_FILE ? ClientDirectory.fromFile(env.TANDEM_CLIENTS_FILE) : new ClientDirectory(DEMO_CLIENTS);
  }

  get(id: string): ClientEntry | undefined {
    return this.byId.get(id);
  }

  /** The display name; a client missing from the directory is shown by its id, never hidden. */
  nameOf(id: string): string {
    return this.byId.get(id)?.name ?? id;
  }

  /** The entries of these ids, in their order; an id the directory lacks gets its id as name and UTC. */
  entriesOf(ids: readonly string[]): ClientEntry[] {
    return [...new Set(ids)].map((id) => this.byId.get(id) ?? { id, name: id, timeZone: 'UTC' });
  }
}

let shared: ClientDirectory | undefined;
/** The process's directory, read once: for code (reports, webhooks) that needs a client's name. */
export function clientDirectory(): ClientDirectory {
  return (shared ??= ClientDirectory.load());
}
/** A client's display name (its id when the directory does not know it). */
export const clientName = (id: string): string => clientDirectory().nameOf(id);
