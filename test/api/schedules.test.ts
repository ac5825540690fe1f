// The Schedules API against the real Temporal dev server, without waiting for anything to fire:
// what is saved (spec, action, policies, scope), next run times in a time zone, holidays skipped,
// input checked against the process's schema at creation, and one client kept from another's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOLIDAY_CALENDARS } from '../../api/schedules/holiday-calendars';
import { periodClosedBefore } from '../../workflows/payroll-run/schedule';
import { eventually } from '../support/temporal';
import { localTime, manualTaskInput, ScheduleDesk } from './schedules.fixtures';

let desk: ScheduleDesk;
beforeAll(async () => {
  desk = await ScheduleDesk.start();
});
afterAll(async () => {
  await desk?.close();
});

const daily6 = (timezone: string) => ({ cron: ['0 6 * * *'], timezone });

describe('schedules', () => {
  it('creates, lists, describes, updates, pauses, unpauses and deletes a schedule', async () => {
    const view = await desk.create('crud', {
      spec: { cron: ['0 6 * * MON-FRI'], timezone: 'Europe/Lisbon', jitterMs: 30_000 },
      policies: { overlap: 'BUFFER_ONE', catchupWindowMs: 600_000 },
      paused: true,
      note: 'Waiting for the client’s go-ahead',
    });
    const id = view.scheduleId;
    expect(view).toMatchObject({
      url: `/schedules/${id}`,
      process: 'manual-task',
      client: 'acme-health',
      input: { ...manualTaskInput('crud'), priority: 3 }, // the schema's default, applied once at creation
      spec: { cron: ['0 6 * * MON-FRI'], timezone: 'Europe/Lisbon', jitterMs: 30_000 },
      policies: { overlap: 'BUFFER_ONE', catchupWindowMs: 600_000, pauseOnFailure: false },
      paused: true,
      note: 'Waiting for the client’s go-ahead',
      recentRuns: [],
      stats: { runsStarted: 0, skippedOverlap: 0, buffered: 0 },
    });
    expect(view.nextRunTimes).toHaveLength(10);
    // A process whose schedule holds the whole input: every fire gets that input.
    expect(view.inputFromFireTime).toBe(false);
    expect(view.nextRuns).toEqual(view.nextRunTimes.map((at: string) => ({ at, input: view.input })));

    // What Temporal holds: a startWorkflow action like any API start, and the schedule's owner.
    const held = await desk.temporal.schedule.getHandle(id).describe();
    expect(held.action).toMatchObject({ workflowType: 'manualTask', taskQueue: 'tandem-orchestration', workflowId: `manual-task-sched-${id}`, memo: { process: 'manual-task' } });
    const attrs = (pairs: typeof held.typedSearchAttributes) => Object.fromEntries(pairs.getAll().map((p) => [p.key.name, p.value]));
    expect(attrs(held.action.typedSearchAttributes as typeof held.typedSearchAttributes)).toEqual({ TandemClient: 'acme-health', TandemProcess: 'manual-task', TandemBusinessRef: 'crud' });
    expect(attrs(held.typedSearchAttributes)).toEqual({ TandemClient: 'acme-health', TandemProcess: 'manual-task' });
    expect(held.memo).toEqual({ client: 'acme-health', process: 'manual-task' });

    const listed = await eventually(async () => {
      const list = await desk.call('nina.berg', 'GET', '/schedules?process=manual-task');
      return list.body.schedules.find((s: { scheduleId: string }) => s.scheduleId === id);
    }, 'the schedule in the list');
    expect(listed).toMatchObject({ process: 'manual-task', client: 'acme-health', paused: true, url: `/schedules/${id}` });

    const patched = await desk.call('nina.berg', 'PATCH', `/schedules/${id}`, {
      input: manualTaskInput('crud-2'),
      policies: { pauseOnFailure: true },
      note: 'Go-ahead received',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      input: { reference: 'crud-2' },
      policies: { overlap: 'BUFFER_ONE', catchupWindowMs: 600_000, pauseOnFailure: true }, // only the named policy changed
      spec: { cron: ['0 6 * * MON-FRI'], timezone: 'Europe/Lisbon' },
      note: 'Go-ahead received',
    });
    const heldAfter = await desk.temporal.schedule.getHandle(id).describe();
    expect((heldAfter.action.typedSearchAttributes as typeof held.typedSearchAttributes).getAll().find((p) => p.key.name === 'TandemBusinessRef')?.value).toBe('crud-2');

    const unpaused = await desk.call('nina.berg', 'POST', `/schedules/${id}/unpause`, { note: 'Live from tomorrow' });
    expect(unpaused.body).toMatchObject({ paused: false, note: 'Live from tomorrow' });
    const paused = await desk.call('nina.berg', 'POST', `/schedules/${id}/pause`, { note: 'Client system down for maintenance' });
    expect(paused.body).toMatchObject({ paused: true, note: 'Client system down for maintenance' });
    expect((await desk.call('nina.berg', 'POST', `/schedules/${id}/pause`, {})).body.field).toBe('body.note');

    expect((await desk.call('nina.berg', 'DELETE', `/schedules/${id}`)).status).toBe(204);
    const gone = await desk.call('nina.berg', 'GET', `/schedules/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.type).toBe('urn:tandem:problem:schedule-not-found');
    await desk.remove(id);
  });

  it('gives next run times in the schedule’s time zone', async () => {
    const [ny, tokyo] = await Promise.all([
      desk.create('ny', { spec: daily6('America/New_York'), paused: true }),
      desk.create('tokyo', { spec: daily6('Asia/Tokyo'), paused: true }),
    ]);
    for (const [view, zone] of [[ny, 'America/New_York'], [tokyo, 'Asia/Tokyo']] as const) {
      expect(view.nextRunTimes).toHaveLength(10);
      for (const at of view.nextRunTimes) expect(localTime(zone, new Date(at)).time, `${zone} ${at}`).toBe('06:00');
      // One a day, consecutive local days.
      const days = view.nextRunTimes.map((at: string) => localTime(zone, new Date(at)).date);
      expect(new Set(days).size).toBe(10);
      // Catch-up window set explicitly (1 h), not Temporal's default of a year.
      expect(view.policies).toEqual({ overlap: 'SKIP', catchupWindowMs: 3_600_000, pauseOnFailure: false });
    }
    // 06:00 in Tokyo is 21:00 UTC the day before; in New York 11:00 UTC (10:00 in summer time).
    expect(tokyo.nextRunTimes.every((at: string) => new Date(at).getUTCHours() === 21)).toBe(true);
    expect(ny.nextRunTimes.every((at: string) => [10, 11].includes(new Date(at).getUTCHours()))).toBe(true);
    await Promise.all([desk.remove(ny.scheduleId), desk.remove(tokyo.scheduleId)]);
  });

  it('skips holidays, its own and its client’s calendar, as whole local days', async () => {
    const zone = 'America/New_York';
    const view = await desk.create('holidays', { spec: daily6(zone), paused: true });
    const id = view.scheduleId;
    const localDay = (at: string) => localTime(zone, new Date(at)).date;
    const holiday = localDay(view.nextRunTimes[1]);

    const own = await desk.call('nina.berg', 'PATCH', `/schedules/${id}`, { spec: { ...daily6(zone), holidays: [holiday] } });
    expect(own.status).toBe(200);
    expect(own.body.spec.holidays).toEqual([holiday]);
    expect(own.body.skippedDates).toEqual([holiday]);
    expect(own.body.nextRunTimes.map(localDay)).not.toContain(holiday);
    expect(own.body.nextRunTimes.map(localDay)).toContain(localDay(view.nextRunTimes[2]));
    // In Temporal's own spec: a skip entry for that whole day, read in the schedule's time zone.
    const held = await desk.temporal.schedule.getHandle(id).describe();
    const [year, month, day] = holiday.split('-').map(Number) as [number, number, number];
    expect(held.spec.timezone).toBe(zone);
    expect(held.spec.skip).toEqual([
      expect.objectContaining({
        year: [{ start: year, end: year, step: 1 }],
        month: [expect.objectContaining({ start: held.spec.skip![0]!.month[0]!.start })],
        dayOfMonth: [{ start: day, end: day, step: 1 }],
        hour: [{ start: 0, end: 23, step: 1 }],
      }),
    ]);
    expect(held.spec.skip![0]!.month[0]!.start).toBe(['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'][month - 1]);

    const calendar = await desk.call('nina.berg', 'PATCH', `/schedules/${id}`, { spec: { ...daily6(zone), holidays: [holiday], holidayCalendar: 'us-federal' } });
    expect(calendar.status).toBe(200);
    expect(calendar.body.spec).toMatchObject({ holidays: [holiday], holidayCalendar: 'us-federal' });
    const federal = HOLIDAY_CALENDARS['acme-health']!['us-federal']!;
    expect(calendar.body.skippedDates).toEqual([...new Set([...federal, holiday])].sort());
    for (const at of calendar.body.nextRunTimes) expect(federal).not.toContain(localDay(at));

    const unknown = await desk.call('nina.berg', 'PATCH', `/schedules/${id}`, { spec: { ...daily6(zone), holidayCalendar: 'uk-england-wales' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('body.spec.holidayCalendar'); // globex's calendar, not acme's
    await desk.remove(id);
  });

  it('checks the input against the process’s schema, and the spec, when the schedule is saved', async () => {
    const create = (body: object) => desk.call('nina.berg', 'POST', '/schedules', { process: 'claim-review', input: { client: 'acme-health', claimRef: 'CLM-1002' }, spec: daily6('UTC'), paused: true, ...body });
    const expectField = async (body: object, field: string, status = 400) => {
      const res = await create(body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.field).toBe(field);
      expect(res.body.type).toMatch(/^urn:tandem:problem:/);
    };
    await expectField({ input: { client: 'acme-health', claimRef: 'claim 7' } }, 'body.input.claimRef');
    await expectField({ input: { client: 'acme-health', claimRef: 'CLM-1002', surprise: 1 } }, 'body.input.surprise');
    await expectField({ process: 'no-such-process' }, 'body.process');
    await expectField({ spec: daily6('Mars/Olympus_Mons') }, 'body.spec.timezone');
    await expectField({ spec: { timezone: 'UTC' } }, 'body.spec.cron');
    await expectField({ spec: { cron: ['0 25 * * *'], timezone: 'UTC' } }, 'body.spec'); // Temporal's own check
    await expectField({ spec: { intervals: [{ every: '2 seconds' }], timezone: 'UTC' } }, 'body.spec.intervals.0.every');
    await expectField({ policies: { catchupWindowMs: 5_000 } }, 'body.policies.catchupWindowMs');
    await expectField({ policies: { overlap: 'QUEUE' } }, 'body.policies.overlap');

    const made = await desk.create('checked', { spec: daily6('utc'), paused: true });
    expect(made.spec.timezone).toBe('UTC'); // saved in the spelling Temporal's server reads
    const patch = (body: object) => desk.call('nina.berg', 'PATCH', `/schedules/${made.scheduleId}`, body);
    expect((await patch({ input: { ...manualTaskInput('x'), title: '' } })).body.field).toBe('body.input.title');
    expect((await patch({ input: manualTaskInput('x', 'globex-insurance') })).body.field).toBe('body.input.client');
    await expectField({ scheduleId: made.scheduleId, process: 'manual-task', input: manualTaskInput('again') }, 'body.scheduleId', 409);
    await desk.remove(made.scheduleId);
  });

  it('holds only the fixed input of a process whose runs take theirs from the fire time, and shows what each fire gets', async () => {
    const processes = (await desk.call('nina.berg', 'GET', '/processes')).body as Array<{ name: string; scheduleInputSchema?: { properties: object } }>;
    expect(Object.keys(processes.find((p) => p.name === 'payroll-run')!.scheduleInputSchema!.properties).sort()).toEqual(['client', 'concurrency']);
    expect(processes.find((p) => p.name === 'claim-review')!.scheduleInputSchema).toBeUndefined();

    const create = (input: object, person = 'nina.berg') =>
      desk.call(person, 'POST', '/schedules', { scheduleId: desk.id('payroll'), process: 'payroll-run', input, spec: { cron: ['0 2 1 * *'], timezone: 'America/New_York' }, paused: true });
    const withPeriod = await create({ client: 'acme-health', period: '2026-11' });
    expect(withPeriod.status).toBe(400);
    expect(withPeriod.body).toMatchObject({ field: 'body.input.period', errors: [{ field: 'body.input.period', message: expect.stringContaining('each fire computes it') }] });
    expect((await create({ client: 'acme-health', concurrency: 0 })).body.field).toBe('body.input.concurrency');
    expect((await create({ client: 'globex-insurance' })).body).toMatchObject({ status: 403, field: 'body.input.client' });

    const made = await create({ client: 'acme-health' });
    expect(made.status).toBe(201);
    const id = made.body.scheduleId;
    expect(made.body).toMatchObject({ input: { client: 'acme-health' }, inputFromFireTime: true });
    const periodIn = (zone: string, at: string) => periodClosedBefore(new Date(at), zone);
    expect(made.body.nextRuns).toEqual(made.body.nextRunTimes.map((at: string) => ({ at, input: { client: 'acme-health', period: periodIn('America/New_York', at) } })));

    // A new spec moves the launcher's zone and holidays with it; a new input keeps them.
    const moved = await desk.call('nina.berg', 'PATCH', `/schedules/${id}`, { spec: { cron: ['0 0 1 * *'], timezone: 'Pacific/Kiritimati', holidayCalendar: 'us-federal' } });
    expect(moved.status).toBe(200);
    expect(moved.body.nextRuns[0]).toEqual({ at: moved.body.nextRunTimes[0], input: { client: 'acme-health', period: periodIn('Pacific/Kiritimati', moved.body.nextRunTimes[0]) } });
    // Midnight on the 1st in Kiritimati is still the previous month in UTC: the zone decides the period.
    expect(periodIn('UTC', moved.body.nextRunTimes[0])).not.toBe(moved.body.nextRuns[0].input.period);
    const renewed = await desk.call('nina.berg', 'PATCH', `/schedules/${id}`, { input: { client: 'acme-health', concurrency: 3 } });
    expect(renewed.body.input).toEqual({ client: 'acme-health', concurrency: 3 });
    expect(renewed.body.nextRuns[0]).toEqual({ at: moved.body.nextRunTimes[0], input: { ...moved.body.nextRuns[0].input, concurrency: 3 } });
    const held = await desk.temporal.schedule.getHandle(id).describe();
    expect(held.action.args).toEqual([
      { process: 'payroll-run', scheduleId: id, fixed: { client: 'acme-health', concurrency: 3 }, calendar: { timeZone: 'Pacific/Kiritimati', holidays: [...HOLIDAY_CALENDARS['acme-health']!['us-federal']!] } },
    ]);
    expect((await desk.call('nina.berg', 'PATCH', `/schedules/${id}`, { input: { client: 'acme-health', period: '2026-11' } })).body.field).toBe('body.input.period');
    await desk.remove(id);
  });

  it('keeps each client’s schedules to the people who serve that client', async () => {
    // Sam serves both clients; Nina (scheduler) serves acme-health only; Ben is an operator.
    const globexId = desk.id('globex');
    const made = await desk.call('sam.rivera', 'POST', '/schedules', { scheduleId: globexId, process: 'manual-task', input: manualTaskInput('G-1', 'globex-insurance'), spec: daily6('Europe/London'), paused: true });
    expect(made.status).toBe(201);
    const acme = await desk.create('acme', { spec: daily6('UTC'), paused: true });

    const refused = await desk.call('nina.berg', 'POST', '/schedules', { process: 'manual-task', input: manualTaskInput('G-2', 'globex-insurance'), spec: daily6('UTC') });
    expect(refused.status).toBe(403);
    expect(refused.body.field).toBe('body.input.client');
    for (const [method, suffix, payload] of [
      ['GET', '', undefined],
      ['PATCH', '', { note: 'mine now' }],
      ['POST', '/pause', { note: 'stop' }],
      ['POST', '/unpause', {}],
      ['POST', '/trigger', {}],
      ['POST', '/backfill', { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }],
      ['DELETE', '', undefined],
    ] as const) {
      const res = await desk.call('nina.berg', method, `/schedules/${globexId}${suffix}`, payload);
      expect(res.status, `${method} ${suffix}`).toBe(404);
    }
    const ninas = await eventually(async () => {
      const list = (await desk.call('nina.berg', 'GET', '/schedules')).body.schedules as Array<{ scheduleId: string; client: string }>;
      return list.some((s) => s.scheduleId === acme.scheduleId) && list;
    }, 'Nina’s list');
    expect(ninas.every((s) => s.client === 'acme-health')).toBe(true);
    const sams = await eventually(async () => {
      const list = (await desk.call('sam.rivera', 'GET', '/schedules?client=globex-insurance')).body.schedules as Array<{ scheduleId: string; client: string }>;
      return list.some((s) => s.scheduleId === globexId) && list;
    }, 'Sam’s globex list');
    expect(sams.every((s) => s.client === 'globex-insurance')).toBe(true);
    expect((await desk.call('ben.okafor', 'GET', `/schedules/${acme.scheduleId}`)).status).toBe(403); // not a schedule manager
    // Untouched for the people of that client.
    expect(await desk.describe(globexId, 'sam.rivera')).toMatchObject({ paused: true, client: 'globex-insurance' });
    await Promise.all([desk.remove(globexId), desk.remove(acme.scheduleId)]);
  });
});
