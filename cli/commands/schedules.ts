// `tandem schedules …`: runs started unattended at set times (Temporal Schedules): list, read,
// create from a spec file, pause with a reason, unpause, trigger one now, backfill a range.
import { Option, type Command } from 'commander';
import { path } from '../api-client';
import type { Schedule, ScheduleAction, Schedules } from '../api-types';
import { asObject, readJsonFile } from '../json-input';
import { emit, table, when } from '../output';
import { integer, session } from '../session';
import { renderSchedule } from './schedule-view';

const OVERLAP = ['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'];
const overlapOption = () => new Option('--overlap <policy>', 'what to do if a run of the schedule is still running (default: the schedule’s own)').choices(OVERLAP);
const only = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

export function registerSchedules(program: Command): void {
  const schedules = program.command('schedules').description('schedules of process runs: list, create, pause, trigger, backfill');
  const one = (name: string, description: string) => schedules.command(`${name} <scheduleId>`).description(description);

  schedules
    .command('list')
    .description('the schedules of your clients')
    .option('--process <process>')
    .option('--client <client>')
    .option('--limit <n>', 'at most this many', integer)
    .action(async (opts: { process?: string; client?: string; limit?: number }, command: Command) => {
      const { api, out } = session(command);
      const found = await api.get<Schedules>('/schedules', opts);
      emit(out, found, () =>
        table(
          ['schedule', 'process', 'client', 'paused', 'next run', 'last run', 'note'],
          found.schedules.map((s) => [s.scheduleId, s.process, s.client, s.paused ? 'yes' : 'no', when(s.nextRunTimes[0]), when(s.lastRunAt), s.note ?? '']),
        ),
      );
    });

  one('get', 'a schedule: spec, policies, paused and why, next run times, recent runs').action(async (scheduleId: string, _opts: object, command: Command) => {
    const { api, out } = session(command);
    const schedule = await api.get<Schedule>(path('schedules', scheduleId));
    emit(out, schedule, () => renderSchedule(schedule));
  });

  schedules
    .command('create')
    .description('create a schedule from a JSON file: { scheduleId?, process, input, spec, policies?, note?, paused? }')
    .requiredOption('--file <file>', 'the schedule as JSON (`-` reads stdin)')
    .action(async (opts: { file: string }, command: Command) => {
      const { api, out } = session(command);
      const schedule = await api.post<Schedule>('/schedules', asObject(readJsonFile(opts.file, 'the schedule'), 'The schedule'));
      emit(out, schedule, () => `Created ${schedule.scheduleId}\n\n${renderSchedule(schedule)}`);
    });

  one('pause', 'pause a schedule, saying why')
    .requiredOption('--note <why>', 'shown on the schedule until it is unpaused')
    .action(async (scheduleId: string, opts: { note: string }, command: Command) => {
      const { api, out } = session(command);
      const schedule = await api.post<Schedule>(path('schedules', scheduleId, 'pause'), { note: opts.note });
      emit(out, schedule, () => `Paused ${schedule.scheduleId}: ${schedule.note ?? ''}`);
    });

  one('unpause', 'unpause a schedule')
    .option('--note <note>')
    .action(async (scheduleId: string, opts: { note?: string }, command: Command) => {
      const { api, out } = session(command);
      const schedule = await api.post<Schedule>(path('schedules', scheduleId, 'unpause'), only(opts));
      emit(out, schedule, () => `Unpaused ${schedule.scheduleId}; next run ${when(schedule.nextRunTimes[0])}`);
    });

  one('trigger', 'start one run now (also when paused)')
    .addOption(overlapOption())
    .action(async (scheduleId: string, opts: { overlap?: string }, command: Command) => {
      const { api, out } = session(command);
      const accepted = await api.post<ScheduleAction>(path('schedules', scheduleId, 'trigger'), only(opts));
      emit(out, accepted, () => `Triggered ${scheduleId}: see its recent runs with tandem schedules get ${scheduleId}`);
    });

  one('backfill', 'take now the runs a time range should have had')
    .requiredOption('--from <time>', 'start of the range, ISO 8601 (inclusive)')
    .requiredOption('--to <time>', 'end of the range, ISO 8601 (exclusive)')
    .addOption(overlapOption())
    .action(async (scheduleId: string, opts: { from: string; to: string; overlap?: string }, command: Command) => {
      const { api, out } = session(command);
      const accepted = await api.post<ScheduleAction>(path('schedules', scheduleId, 'backfill'), only({ start: opts.from, end: opts.to, overlap: opts.overlap }));
      emit(out, accepted, () => `Backfilling ${scheduleId} from ${opts.from} to ${opts.to}`);
    });

  one('delete', 'delete a schedule (runs it started carry on)').action(async (scheduleId: string, _opts: object, command: Command) => {
    const { api, out } = session(command);
    await api.call('DELETE', path('schedules', scheduleId));
    emit(out, { scheduleId, deleted: true }, () => `Deleted ${scheduleId}`);
  });
}
