import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { liveness, livenessSchema } from './observability';

/** The original liveness path, kept as an alias of GET /health/live for existing probes. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', { config: { auth: 'public' }, schema: { summary: 'Liveness (alias of /health/live)', ...livenessSchema } }, liveness);
};
