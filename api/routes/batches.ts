// Item batches: a batch's progress and items, adding items to it and postponing one. Each call
// reaches the batch workflow itself (Query or Update); its validators have the last word.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ItemBatches } from '../item-batches';
import * as s from '../batch-schemas';
import { withProblems } from './responses';
import { BATCH_FEEDERS, BATCH_READERS } from '../auth/route-roles';

/** 1000 items with their data: above the API's default body limit, below Temporal's payload limit. */
const ENQUEUE_BODY_LIMIT = 1024 * 1024;

export const batchRoutes: FastifyPluginAsyncZod<{ batches: ItemBatches }> = async (app, { batches }) => {
  const readers = { auth: { roles: BATCH_READERS } };
  const feeders = { auth: { roles: BATCH_FEEDERS } };
  const tags = ['batches'];

  app.get(
    '/batches/:batchId',
    {
      config: readers,
      schema: {
        tags,
        summary: 'A batch’s progress: items by status, items a human is on, and the batch’s own status',
        description: 'A closed batch still answers (its last state). Another client’s batch answers 404.',
        params: s.BatchIdParam,
        response: withProblems({ 200: s.BatchView }),
      },
    },
    async (request) => {
      const batch = await batches.open(request.params.batchId, request.principal().clients);
      request.touchClient(batch.client);
      return batches.progress(batch);
    },
  );

  app.get(
    '/batches/:batchId/items',
    {
      config: readers,
      schema: {
        tags,
        summary: 'A page of the batch’s items in batch order, optionally of one status',
        params: s.BatchIdParam,
        querystring: s.ItemsQueryString,
        response: withProblems({ 200: s.ItemsPage }),
      },
    },
    async (request) => {
      const batch = await batches.open(request.params.batchId, request.principal().clients);
      request.touchClient(batch.client);
      const { status, after, limit } = request.query;
      return batches.items(batch, { limit, ...(status ? { status } : {}), ...(after ? { after } : {}) });
    },
  );

  app.post(
    '/batches/:batchId/items',
    {
      config: feeders,
      bodyLimit: ENQUEUE_BODY_LIMIT,
      schema: {
        tags,
        summary: `Add items to a running batch (1 to ${s.MAX_ITEMS_PER_CALL} per call)`,
        description:
          'All or nothing: items whose reference the batch already has (or that repeat one in the request) answer 409 listing each ' +
          '(`body.items.<i>.ref` and the existing item’s status); items the batch’s handler refuses answer 422 naming the fields; ' +
          'a closed or closing batch answers 409.',
        params: s.BatchIdParam,
        body: s.EnqueueItemsBody,
        response: withProblems({ 202: s.EnqueueItemsReply }),
      },
    },
    async (request, reply) => {
      const principal = request.principal();
      const batch = await batches.open(request.params.batchId, principal.clients);
      request.touchClient(batch.client);
      const result = await batches.enqueue(batch, request.body.items, principal.id);
      return reply.code(202).send(result);
    },
  );

  app.post(
    '/batches/:batchId/items/:ref/postpone',
    {
      config: feeders,
      schema: {
        tags,
        summary: 'Postpone a pending item until a later time',
        description: 'Only an item not yet settled can be postponed (409 otherwise); an unknown item answers 404.',
        params: s.ItemParams,
        body: s.PostponeBody,
        response: withProblems({ 200: s.ItemView }),
      },
    },
    async (request) => {
      const principal = request.principal();
      const batch = await batches.open(request.params.batchId, principal.clients);
      request.touchClient(batch.client);
      return batches.postpone(batch, request.params.ref, request.body.until, principal.id);
    },
  );
};
