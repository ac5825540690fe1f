// `tandem tasks …`: an operator's day from the terminal: the team's queue, take the next task,
// read one with its form, decide it.
import { Option, type Command } from 'commander';
import { path } from '../api-client';
import type { Decided, TakeNext, TaskQueue, TaskWithForm } from '../api-types';
import { UsageError } from '../errors';
import { asObject, parseJson, readJsonFile } from '../json-input';
import { emit, when } from '../output';
import { integer, session } from '../session';
import { queueNotes, renderTask, taskRows } from './task-view';

export function registerTasks(program: Command): void {
  const tasks = program.command('tasks').description('a team’s queue: list, take next, read and decide tasks');

  tasks
    .command('list')
    .description('the team’s tasks, most urgent first')
    .requiredOption('--team <team>', 'e.g. claims-review')
    .addOption(new Option('--status <status>', 'which tasks').choices(['open', 'claimed', 'active']).default('active'))
    .option('--client <client>')
    .option('--process <process>')
    .option('--assignee <who>', 'an operator id, `me` or `none`')
    .option('--limit <n>', 'tasks per page', integer)
    .option('--cursor <cursor>', 'the previous page’s next cursor')
    .action(async (opts: { team: string; status: string; client?: string; process?: string; assignee?: string; limit?: number; cursor?: string }, command: Command) => {
      const { api, out } = session(command);
      const { team, ...query } = opts;
      const page = await api.get<TaskQueue>(path('teams', team, 'tasks'), query);
      emit(out, page, () =>
        [
          taskRows(page.tasks),
          `${page.tasks.length} shown, ${page.total} in the queue`,
          ...(page.nextCursor ? [`next page: --cursor ${page.nextCursor}`] : []),
          ...queueNotes(page),
        ].join('\n'),
      );
    });

  tasks
    .command('next')
    .description('claim the most urgent task of the team you may take (with a lease)')
    .requiredOption('--team <team>', 'e.g. claims-review')
    .option('--lease-ms <ms>', 'how long the lease lasts before the task goes back to the queue', integer)
    .action(async (opts: { team: string; leaseMs?: number }, command: Command) => {
      const { api, out } = session(command);
      const next = await api.post<TakeNext>(path('teams', opts.team, 'take-next'), opts.leaseMs ? { leaseMs: opts.leaseMs } : {});
      emit(out, next, () => {
        const task = next.task;
        if (!task) return [`Nothing to take in ${opts.team}`, ...queueNotes(next)].join('\n');
        const lease = task.claim?.leaseId;
        return [renderTask(task), '', `decide it: tandem tasks complete ${task.taskId} --action <${task.actions.join('|')}>${lease ? ` --lease-id ${lease}` : ''}`, ...queueNotes(next)].join('\n');
      });
    });

  tasks
    .command('get <taskId>')
    .description('a task with its context, its actions and their fields, and the run’s steps')
    .action(async (taskId: string, _opts: object, command: Command) => {
      const { api, out } = session(command);
      const task = await api.get<TaskWithForm>(path('tasks', taskId));
      emit(out, task, () => renderTask(task));
    });

  tasks
    .command('complete <taskId>')
    .description('decide a task: approve, reject, correct… with the form’s data')
    .requiredOption('--action <action>', 'one of the task’s actions (tasks get lists them)')
    .option('--data <file>', 'the form data as a JSON file (`-` reads stdin)')
    .option('--data-json <json>', 'the form data inline, e.g. \'{"reason":"Duplicate"}\'')
    .option('--lease-id <lease>', 'the lease from tasks next: refused if it lapsed')
    .option('--idempotency-key <key>', 'repeat the decision safely: the same key replays its result')
    .action(async (taskId: string, opts: { action: string; data?: string; dataJson?: string; leaseId?: string; idempotencyKey?: string }, command: Command) => {
      const { api, out } = session(command);
      if (opts.data && opts.dataJson) throw new UsageError('Give the data with --data or --data-json, not both');
      const data = opts.data ? readJsonFile(opts.data, 'the data') : opts.dataJson ? parseJson(opts.dataJson, '--data-json') : {};
      const body = { action: opts.action, data: asObject(data, 'The data'), ...(opts.leaseId ? { leaseId: opts.leaseId } : {}) };
      const decided = await api.post<Decided>(path('tasks', taskId, 'complete'), body, { 'idempotency-key': opts.idempotencyKey });
      emit(out, decided, () => `Completed ${decided.taskId}: ${decided.action} by ${decided.decidedBy.operatorId} at ${when(decided.decidedAt)}${decided.replayed ? ' (replayed: decided earlier with this key)' : ''}`);
    });
}
