// Where each client's web applications live. Bots ask by client and application name, so moving a
// client to a new instance is configuration, not code.
export interface ClientApps {
  urlOf(client: string, app: string): string;
}

/** A fixed map of application name to base URL, shared by all clients (one multi-tenant app each). */
export class StaticClientApps implements ClientApps {
  constructor(private readonly urls: Record<string, string | undefined>) {}

  urlOf(client: string, app: string): string {
    const url = this.urls[app];
    if (!url) throw new Error(`No URL configured for application ${app} (client ${client})`);
    return url;
  }
}
