// Schedules of process runs, on Temporal Schedules: Temporal fires, buffers, skips and catches up;
// we check the input against the process's schema and the caller's clients before anything is
// saved, and keep each schedule's client and process on it (memo, search attributes) for scoping.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleDescription, type ScheduleHandle, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import { ORCHESTRATION_TASK_QUEUE, type ProcessDefinition } from '../../workflows/engine/process-definition';
import { catalogue } from '../../platform/process-catalogue';
import { fieldIssues, problems } from '../problems';
import { calendarDates, calendarNames, HOLIDAY_CALENDARS, type Holiday, type HolidayCalendars } from './holiday-calendars';
import { toTemporalSpec } from './schedule-spec';
import { launchCalendar, launcherAction, launchOf } from './fire-time-launch';
import { scheduledInput } from '../../workflows/engine/scheduled-input';
import { ownerOf, scheduleSummary, scheduleView, type ScheduleOwner } from './schedule-view';
import {
  canonicalTimeZone,
  DEFAULT_POLICIES,
  type BackfillBody,
  type CreateScheduleBody,
  type SchedulePolicies,
  type ScheduleSpecBody,
  type ScheduleSummary,
  type ScheduleView,
  type UpdateScheduleBody,
} from './schedule-schemas';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';

const SA = SEARCH_ATTRIBUTES;

type Overlap = NonNullable<SchedulePolicies['overlap']>;

export interface ProcessSchedulesOptions {
  /** The processes a schedule may start; default the deployment's catalogue. */
  processes?: readonly ProcessDefinition[];
  /** Named holiday calendars per client; default HOLIDAY_CALENDARS. */
  calendars?: HolidayCalendars;
}

/** A schedule of the caller's clients, with whose it is. */
interface Owned extends ScheduleOwner {
  handle: ScheduleHandle;
  description: ScheduleDescription;
}

const quote = (value: string): string => `'${value.replace(/['\\]/g, '\\$&')}'`;

export class ProcessSchedules {
  private readonly processes: readonly ProcessDefinition[];
  private readonly calendars: HolidayCalendars;

  constructor(
    private readonly temporal: Client,
    options: ProcessSchedulesOptions = {},
  ) {
    this.processes = options.processes ?? catalogue.processes;
    this.calendars = options.calendars ?? HOLIDAY_CALENDARS;
  }

  async create(body: CreateScheduleBody, clients: readonly string[]): Promise<ScheduleView> {
    const process = this.processes.find((p) => p.name === body.process);
    if (!process) {
      throw problems.invalidRequest([{ field: 'body.process', message: `No process ${body.process}; one of ${this.processes.map((p) => p.name).join(', ')}` }]);
    }
    const input = this.checkedInput(process, body.input);
    const client = this.clientOf(process, input, body.spec.timezone);
    if (!clients.includes(client)) throw problems.forbidden(`You do not serve client ${client}`, { field: 'body.input.client' });
    const scheduleId = body.scheduleId ?? `${client}-${randomUUID().slice(0, 8)}`;
    // A launcher ends once its run has started: overlapping launchers are harmless, skipped ones lost fires.
    const policies = { ...DEFAULT_POLICIES, ...(process.schedule ? { overlap: 'ALLOW_ALL' as const } : {}), ...body.policies };
    const spec = this.temporalSpec(body.spec, client);
    try {
      await this.temporal.schedule.create({
        scheduleId,
        spec,
        action: this.action(process, scheduleId, input, spec),
        policies: { overlap: policies.overlap, catchupWindow: policies.catchupWindowMs, pauseOnFailure: policies.pauseOnFailure },
        memo: { client, process: process.name } satisfies ScheduleOwner,
        typedSearchAttributes: [
          { key: SA.client, value: client },
          { key: SA.process, value: process.name },
        ],
        state: { paused: body.paused ?? false, ...(body.note ? { note: body.note } : {}) },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw problems.scheduleExists(`Schedule ${scheduleId} already exists`, { field: 'body.scheduleId' });
      throw specRefused(err);
    }
    return this.describe(scheduleId, clients);
  }

  /** The caller's clients' schedules (Temporal's list is eventually consistent: a second or so). */
  async list(clients: readonly string[], filter: { client?: string; process?: string; limit: number }): Promise<ScheduleSummary[]> {
    const wanted = filter.client ? clients.filter((c) => c === filter.client) : clients;
    if (wanted.length === 0) return [];
    const query = [`TandemClient IN (${wanted.map(quote).join(', ')})`, ...(filter.process ? [`TandemProcess = ${quote(filter.process)}`] : [])].join(' AND ');
    const found: ScheduleSummary[] = [];
    for await (const summary of this.temporal.schedule.list({ query })) {
      const owner = ownerOf(summary.memo);
      if (owner && wanted.includes(owner.client)) found.push(scheduleSummary(summary, owner));
      if (found.length >= filter.limit) break;
    }
    return found;
  }

  async describe(scheduleId: string, clients: readonly string[]): Promise<ScheduleView> {
    const { client, process, description } = await this.owned(scheduleId, clients);
    return scheduleView(this.temporal, description, { client, process }, this.processes.find((p) => p.name === process));
  }

  async update(scheduleId: string, patch: UpdateScheduleBody, clients: readonly string[]): Promise<ScheduleView> {
    const { handle, client, process: name, description } = await this.owned(scheduleId, clients);
    const process = this.processes.find((p) => p.name === name);
    if (!process) throw problems.invalidRequest([{ field: 'body', message: `Process ${name} is no longer offered; delete the schedule` }]);
    const input = patch.input && this.checkedInput(process, patch.input);
    if (input && this.clientOf(process, input, patch.spec?.timezone ?? (description.spec.timezone || 'UTC')) !== client) {
      throw problems.invalidRequest([{ field: 'body.input.client', message: `A schedule’s client cannot change (it is ${client})` }]);
    }
    const spec = patch.spec && this.temporalSpec(patch.spec, client);
    try {
      await handle.update((prev) => {
        const policies = { overlap: prev.policies.overlap, catchupWindow: prev.policies.catchupWindow, pauseOnFailure: prev.policies.pauseOnFailure };
        const changed = patch.policies ?? {};
        return {
          ...prev,
          spec: spec ?? prev.spec,
          action: this.updatedAction(process, scheduleId, prev, input, spec),
          policies: {
            overlap: changed.overlap ?? policies.overlap,
            catchupWindow: changed.catchupWindowMs ?? policies.catchupWindow,
            pauseOnFailure: changed.pauseOnFailure ?? policies.pauseOnFailure,
          },
          state: { ...prev.state, ...(patch.note ? { note: patch.note } : {}) },
        };
      });
    } catch (err) {
      throw specRefused(err);
    }
    return this.describe(scheduleId, clients);
  }

  async pause(scheduleId: string, note: string, clients: readonly string[]): Promise<ScheduleView> {
    await (await this.owned(scheduleId, clients)).handle.pause(note);
    return this.describe(scheduleId, clients);
  }

  async unpause(scheduleId: string, note: string | undefined, clients: readonly string[]): Promise<ScheduleView> {
    await (await this.owned(scheduleId, clients)).handle.unpause(note ?? 'Unpaused');
    return this.describe(scheduleId, clients);
  }

  /** Starts one run now (also when paused), under the schedule's overlap policy unless told otherwise. */
  async trigger(scheduleId: string, overlap: Overlap | undefined, clients: readonly string[]): Promise<ScheduleOwner> {
    const { handle, client, process } = await this.owned(scheduleId, clients);
    await handle.trigger(overlap);
    return { client, process };
  }

  /** Takes the runs the spec had in [start, end) as if that time were passing now (also when paused). */
  async backfill(scheduleId: string, range: BackfillBody, clients: readonly string[]): Promise<ScheduleOwner> {
    const { handle, client, process } = await this.owned(scheduleId, clients);
    // Temporal's range includes its end; ours does not, so 00:00–05:00 hourly is five runs.
    await handle.backfill([{ start: new Date(range.start), end: new Date(Date.parse(range.end) - 1), ...(range.overlap ? { overlap: range.overlap } : {}) }]);
    return { client, process };
  }

  /** Deletes the schedule; runs it already started carry on. */
  async delete(scheduleId: string, clients: readonly string[]): Promise<ScheduleOwner> {
    const { handle, client, process } = await this.owned(scheduleId, clients);
    await handle.delete();
    return { client, process };
  }

  /** Another client's schedule, or one Tandem did not make, is as unknown as a missing one. */
  private async owned(scheduleId: string, clients: readonly string[]): Promise<Owned> {
    const handle = this.temporal.schedule.getHandle(scheduleId);
    const notFound = problems.scheduleNotFound(`No schedule ${scheduleId}`);
    const description = await handle.describe().catch((err: unknown) => {
      throw err instanceof ScheduleNotFoundError ? notFound : err;
    });
    const owner = ownerOf(description.memo);
    if (!owner || !clients.includes(owner.client)) throw notFound;
    return { handle, description, ...owner };
  }

  /** The whole input, or what stays fixed for a process whose runs take their input from the fire time. */
  private checkedInput(process: ProcessDefinition, input: unknown): Record<string, unknown> {
    const schema = process.schedule?.fixed ?? process.input;
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const what = process.schedule ? 'what a schedule holds (scheduleInputSchema in GET /processes)' : 'input';
      throw problems.invalidRequest(fieldIssues(namedKeys(parsed.error.issues, process), 'body.input'), `The input does not match the ${process.title} process’s ${what}`);
    }
    return parsed.data as Record<string, unknown>;
  }

  /** Whose work it is; for a fire-time process, read from the input a fire now would compute (which checks the rule, too). */
  private clientOf(process: ProcessDefinition, input: Record<string, unknown>, timeZone: string): string {
    if (!process.schedule) return process.clientOf(input);
    const now = scheduledInput(process, input, new Date(), { timeZone: canonicalTimeZone(timeZone) });
    if (!now.ok) throw problems.invalidRequest(fieldIssues(now.issues, 'body.input'), now.message);
    return process.clientOf(now.input);
  }

  private temporalSpec(spec: ScheduleSpecBody, client: string): ScheduleSpec {
    const holidays: Holiday[] = (spec.holidays ?? []).map((date) => ({ date }));
    if (spec.holidayCalendar) {
      const name = spec.holidayCalendar;
      const dates = calendarDates(this.calendars, client, name);
      if (!dates) {
        const known = calendarNames(this.calendars, client);
        throw problems.invalidRequest([{ field: 'body.spec.holidayCalendar', message: `${client} has no holiday calendar ${name}${known.length ? `; it has ${known.join(', ')}` : ''}` }]);
      }
      holidays.push(...dates.map((date) => ({ date, calendar: name })));
    }
    return toTemporalSpec(spec, holidays);
  }

  /** What each firing does: start the launcher, or the process's workflow as a run like any other, found by the same search attributes. */
  private action(process: ProcessDefinition, scheduleId: string, input: Record<string, unknown>, spec: Parameters<typeof launchCalendar>[0]): ScheduleOptionsAction {
    if (process.schedule) return launcherAction(process, scheduleId, input, launchCalendar(spec));
    return {
      type: 'startWorkflow',
      workflowType: process.workflowType,
      taskQueue: ORCHESTRATION_TASK_QUEUE,
      // Temporal appends the scheduled time, so every run has its own id.
      workflowId: `${process.name}-sched-${scheduleId}`,
      args: [input],
      memo: { process: process.name },
      typedSearchAttributes: [
        { key: SA.client, value: process.clientOf(input) },
        { key: SA.process, value: process.name },
        { key: SA.businessRef, value: process.businessRefOf(input) },
      ],
    };
  }

  /** A launcher reads the spec's zone and holidays too, so a new spec or a new input makes a new action. */
  private updatedAction(process: ProcessDefinition, scheduleId: string, prev: ScheduleDescription, input?: Record<string, unknown>, spec?: ScheduleSpec): ScheduleDescription['action'] | ScheduleOptionsAction {
    if (!input && !(spec && process.schedule)) return prev.action;
    const held = launchOf(prev)?.fixed ?? (prev.action.args?.[0] as Record<string, unknown>);
    return this.action(process, scheduleId, input ?? held, spec ?? prev.spec);
  }
}

/** An unknown key is named as the field itself; for a fire-time process it is most likely what each fire computes (a period). */
function namedKeys(issues: readonly z.core.$ZodIssue[], process: ProcessDefinition): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return [issue];
    const why = process.schedule ? 'not held by a schedule: each fire computes it from its time, or no field of the input' : 'not a field of the input';
    return issue.keys.map((key) => ({ path: [...issue.path, key], message: `${key}: ${why}` }));
  });
}

/** Temporal refuses a spec it cannot read (a cron field out of range…) with a TypeError. */
function specRefused(err: unknown): unknown {
  return err instanceof TypeError ? problems.invalidRequest([{ field: 'body.spec', message: err.message }], 'Temporal refused the schedule’s spec') : err;
}
