// The caller's clients with their display names and time zones, from the client directory
// (platform/clients.ts): what the inbox and the client portal show instead of ids.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ClientEntry, type ClientDirectory } from '../../platform/clients';
import { ANYONE } from '../auth/route-roles';
import { withProblems } from './responses';

export const clientRoutes: FastifyPluginAsyncZod<{ directory: ClientDirectory }> = async (app, { directory }) => {
  app.get(
    '/clients',
    {
      config: { auth: { roles: ANYONE } },
      schema: {
        summary: 'The clients the caller serves (or, for a client’s own people, is): id, display name, time zone',
        tags: ['oversight'],
        response: withProblems({ 200: z.object({ clients: z.array(ClientEntry) }) }),
      },
    },
    async (request) => {
      const clients = directory.entriesOf(request.principal().clients);
      if (clients.length) request.touchClient(...clients.map((c) => c.id));
      return { clients };
    },
  );
};
