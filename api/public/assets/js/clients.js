// Client display names (GET /clients: the caller's clients only), loaded once at sign-in, so the
// pages show "Acme Health" where the API speaks of `acme-health`.
import { inbox } from './api.js';

const names = new Map();

/** Reads the caller's clients; a failure leaves the ids showing, which are still right. */
export async function loadClientNames() {
  try {
    const { clients } = await inbox.clients();
    names.clear();
    for (const client of clients) names.set(client.id, client.name);
  } catch (problem) {
    console.warn('client names not loaded; showing ids', problem);
  }
}

/** The client's display name, or its id when the directory has none. */
export const clientName = (id) => names.get(id) ?? id;
