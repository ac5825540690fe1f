// Schedules: process runs started unattended at set times (Temporal Schedules), each for one
// process and one client. Another client's schedule answers 404, as if it did not exist.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ProcessSchedules } from '../schedules/process-schedules';
import * as s from '../schedules/schedule-schemas';
import { withProblems } from './responses';
import { QA_POLICY_MANAGERS, SCHEDULE_MANAGERS } from '../auth/route-roles';
import { hasAnyRole, type Principal } from '../auth/principal';
import { problems } from '../problems';

/** A schedule's input that sets its runs' own QA sampling overrides the client's QA policy: its keepers only. */
function checkQaOverride(principal: Principal, input: unknown): void {
  if (input && typeof input === 'object' && (input as { qaSampling?: unknown }).qaSampling !== undefined && !hasAnyRole(principal, QA_POLICY_MANAGERS)) {
    throw problems.forbidden('Only supervisors and process admins may set the runs’ own QA sampling', { field: 'body.input.qaSampling' });
  }
}

export const scheduleRoutes: FastifyPluginAsyncZod<{ schedules: ProcessSchedules }> = async (app, { schedules }) => {
  const config = { auth: { roles: SCHEDULE_MANAGERS } };
  const one = { tags: ['schedules'], params: s.ScheduleIdParam };
  const accepted = withProblems({ 202: s.ScheduleAccepted });

  app.post(
    '/schedules',
    {
      config,
      schema: {
        tags: ['schedules'],
        summary: 'Create a schedule of process runs',
        description:
          'Cron, calendar or interval specs read in a time zone, with an overlap policy, a catch-up window and holidays to skip. ' +
          'The input is checked against the process’s input schema now (a bad field answers 400 naming it, e.g. body.input.claimRef), not when the schedule fires.',
        body: s.CreateScheduleBody,
        response: withProblems({ 201: s.ScheduleView }),
      },
    },
    async (request, reply) => {
      checkQaOverride(request.principal(), request.body.input);
      const view = await schedules.create(request.body, request.principal().clients);
      request.touchClient(view.client);
      return reply.code(201).header('location', view.url).send(view);
    },
  );

  app.get(
    '/schedules',
    { config, schema: { tags: ['schedules'], summary: 'The schedules of your clients', querystring: s.ScheduleListQuery, response: withProblems({ 200: s.ScheduleList }) } },
    async (request) => {
      const found = await schedules.list(request.principal().clients, request.query);
      request.touchClient(...found.map((f) => f.client));
      return { schedules: found };
    },
  );

  app.get(
    '/schedules/:scheduleId',
    { config, schema: { ...one, summary: 'A schedule: its spec, policies, whether paused and why, next run times, recent runs and how they ended', response: withProblems({ 200: s.ScheduleView }) } },
    async (request) => {
      const view = await schedules.describe(request.params.scheduleId, request.principal().clients);
      request.touchClient(view.client);
      return view;
    },
  );

  app.patch(
    '/schedules/:scheduleId',
    { config, schema: { ...one, summary: 'Change a schedule’s spec, policies, input or note', body: s.UpdateScheduleBody, response: withProblems({ 200: s.ScheduleView }) } },
    async (request) => {
      checkQaOverride(request.principal(), request.body.input);
      const view = await schedules.update(request.params.scheduleId, request.body, request.principal().clients);
      request.touchClient(view.client);
      return view;
    },
  );

  app.post(
    '/schedules/:scheduleId/pause',
    { config, schema: { ...one, summary: 'Pause a schedule, saying why', body: s.PauseBody, response: withProblems({ 200: s.ScheduleView }) } },
    async (request) => {
      const view = await schedules.pause(request.params.scheduleId, request.body.note, request.principal().clients);
      request.touchClient(view.client);
      return view;
    },
  );

  app.post(
    '/schedules/:scheduleId/unpause',
    { config, schema: { ...one, summary: 'Unpause a schedule', body: s.UnpauseBody, response: withProblems({ 200: s.ScheduleView }) } },
    async (request) => {
      const view = await schedules.unpause(request.params.scheduleId, request.body.note, request.principal().clients);
      request.touchClient(view.client);
      return view;
    },
  );

  app.post(
    '/schedules/:scheduleId/trigger',
    { config, schema: { ...one, summary: 'Start one run now (also when paused)', body: s.TriggerBody, response: accepted } },
    async (request, reply) => {
      const { scheduleId } = request.params;
      const owner = await schedules.trigger(scheduleId, request.body.overlap, request.principal().clients);
      request.touchClient(owner.client);
      return reply.code(202).send({ scheduleId, accepted: 'trigger', url: `/schedules/${scheduleId}` });
    },
  );

  app.post(
    '/schedules/:scheduleId/backfill',
    {
      config,
      schema: {
        ...one,
        summary: 'Take the runs a time range should have had, now',
        description: 'Every time the spec gives in [start, end) starts a run, under the given overlap policy (ALLOW_ALL to run them side by side).',
        body: s.BackfillBody,
        response: accepted,
      },
    },
    async (request, reply) => {
      const { scheduleId } = request.params;
      const owner = await schedules.backfill(scheduleId, request.body, request.principal().clients);
      request.touchClient(owner.client);
      return reply.code(202).send({ scheduleId, accepted: 'backfill', url: `/schedules/${scheduleId}` });
    },
  );

  app.delete(
    '/schedules/:scheduleId',
    { config, schema: { ...one, summary: 'Delete a schedule (runs it started carry on)', response: withProblems({ 204: z.null().describe('Deleted') }) } },
    async (request, reply) => {
      const owner = await schedules.delete(request.params.scheduleId, request.principal().clients);
      request.touchClient(owner.client);
      return reply.code(204).send(null);
    },
  );
};
