// A client's QA sampling policy per process: read it (with every kept version, who set it and
// when) and change it. Kept in Temporal (api/qa-policies.ts); a run takes the version in force at
// its start. Another client's policy answers 404, as a missing client does.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { ClientId } from '../../workflows/engine/common-schemas';
import { QaSamplingSchema } from '../../workflows/engine/service-level';
import { QaPolicyVersionSchema } from '../../workflows/engine/qa-policy-record';
import type { QaPolicies } from '../qa-policies';
import { QA_POLICY_MANAGERS, QA_POLICY_READERS } from '../auth/route-roles';
import { problems } from '../problems';
import { withProblems } from './responses';

const Params = z.object({
  client: ClientId,
  process: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Not a process name'),
});

const QaPolicyView = z.object({
  client: z.string(),
  process: z.string(),
  source: z.enum(['declared', 'changed']).describe('`declared`: the process’s default for this client, never changed; `changed`: set through this API'),
  current: QaPolicyVersionSchema.describe('The version in force: runs started from now on sample by it'),
  history: z.array(QaPolicyVersionSchema).describe('Kept versions, newest first (the last 50)'),
});

const QaPolicyChange = z
  .object({
    policy: QaSamplingSchema.nullable().describe('The new sampling; null turns sampling off for this client'),
    note: z.string().trim().min(3).max(500).optional().describe('Why it changes; kept with the version'),
    expectedVersion: z.number().int().min(1).optional().describe('The version you read: another one in force answers 409 `qa-policy-changed`'),
  })
  .strict();

export const qaPolicyRoutes: FastifyPluginAsyncZod<{ qaPolicies: QaPolicies }> = async (app, { qaPolicies }) => {
  const scoped = (request: FastifyRequest, client: string): void => {
    if (!request.principal().clients.includes(client)) throw problems.notFound(`No client ${client}`);
    request.touchClient(client);
  };

  app.get(
    '/clients/:client/qa-policies/:process',
    {
      config: { auth: { roles: QA_POLICY_READERS } },
      schema: {
        summary: 'A client’s QA sampling policy for a process: the version in force and the earlier ones',
        description:
          'Four-eyes sampling: the share of bot-completed and of operator-decided items sent to the QA team, operators whose every decision is reviewed, ' +
          'and the amount from which every item is. Until changed, the process’s declared default for the client (`source: declared`). ' +
          'A run started without its own `qaSampling` takes the version in force at its start and keeps it to its end.',
        tags: ['oversight'],
        params: Params,
        response: withProblems({ 200: QaPolicyView }),
      },
    },
    async (request) => {
      scoped(request, request.params.client);
      return qaPolicies.read(request.params.client, request.params.process);
    },
  );

  app.put(
    '/clients/:client/qa-policies/:process',
    {
      config: { auth: { roles: QA_POLICY_MANAGERS } },
      schema: {
        summary: 'Change a client’s QA sampling policy for a process (supervisors and process admins)',
        description:
          'Records a new version with who changed it and when, in Temporal. Runs already started keep the policy they started with; ' +
          'runs started after the reply sample by the new one. Send `expectedVersion` to refuse the change if someone changed it since you read it.',
        tags: ['oversight'],
        params: Params,
        body: QaPolicyChange,
        response: withProblems({ 200: QaPolicyView }),
      },
    },
    async (request) => {
      const { client, process } = request.params;
      scoped(request, client);
      const { policy, note, expectedVersion } = request.body;
      await qaPolicies.change(client, process, { policy, note, expectedVersion, by: request.principal().id });
      request.log.info({ client, process }, 'QA policy changed');
      return qaPolicies.read(client, process);
    },
  );
};
