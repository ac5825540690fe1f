// `tandem runs …`: start a run of a process, find runs, read one, follow it until it ends, work a
// completed business item again, cancel one.
import type { Command } from 'commander';
import { path } from '../api-client';
import type { Run, RunPage, RunStart } from '../api-types';
import { RunDidNotComplete } from '../errors';
import { asObject, readJsonFile } from '../json-input';
import { emit, table, when } from '../output';
import { integer, session } from '../session';
import { renderRun, statusLine } from './run-view';
import { watchRun } from './run-watch';

type RunListFlags = {
  process?: string;
  client?: string;
  status?: string;
  businessRef?: string;
  startedAfter?: string;
  startedBefore?: string;
  limit?: number;
  cursor?: string;
};

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('start, read and follow runs');

  runs
    .command('start <process>')
    .description('start a run of a process (e.g. claim-review) with its input')
    .requiredOption('--input <file>', 'the run’s input as JSON (`-` reads stdin); `GET /processes` shows each input schema')
    .option('--idempotency-key <key>', 'repeat the start safely: the same key answers the same run')
    .action(async (process: string, opts: { input: string; idempotencyKey?: string }, command: Command) => {
      const { api, out } = session(command);
      const input = asObject(readJsonFile(opts.input, 'the input'), 'The input');
      const started = await api.post<RunStart>(path('processes', process, 'runs'), input, { 'idempotency-key': opts.idempotencyKey });
      emit(out, started, () =>
        [started.created ? `Started ${started.runId}` : `Already started with this Idempotency-Key: ${started.runId}`, `  follow it: tandem runs watch ${started.runId}`].join('\n'),
      );
    });

  runs
    .command('list')
    .description('find runs of your clients, newest first')
    .option('--process <process>', 'e.g. claim-review')
    .option('--client <client>')
    .option('--status <status>', 'running, waiting-human, waiting-bot, completed, failed, cancelled, terminated or timed_out')
    .option('--business-ref <ref>', 'the business reference, exactly (a claim number, a pay period)')
    .option('--started-after <time>', 'ISO 8601')
    .option('--started-before <time>', 'ISO 8601')
    .option('--limit <n>', 'runs per page', integer)
    .option('--cursor <cursor>', 'the previous page’s next cursor')
    .action(async (opts: RunListFlags, command: Command) => {
      const { api, out } = session(command);
      const page = await api.get<RunPage>('/runs', opts);
      emit(out, page, () =>
        [
          table(
            ['run', 'process', 'client', 'reference', 'status', 'started', 'closed'],
            page.runs.map((r) => [r.runId, r.process, r.client, r.businessRef ?? '', statusLine(r), when(r.startedAt), when(r.closedAt)]),
          ),
          ...(page.nextCursor ? [`next page: --cursor ${page.nextCursor}`] : []),
        ].join('\n'),
      );
    });

  runs
    .command('get <runId>')
    .description('a run: status, step, whom it waits on since when, SLA left, steps, open tasks, outcome')
    .action(async (runId: string, _opts: object, command: Command) => {
      const { api, out } = session(command);
      const run = await api.get<Run>(path('runs', runId));
      emit(out, run, () => renderRun(run));
    });

  runs
    .command('watch <runId>')
    .description('follow a run live until it ends (exit 0 when it completed, 5 when it failed or was cancelled)')
    .option('--interval <ms>', 'how often to read the run', integer, 1000)
    .action(async (runId: string, opts: { interval: number }, command: Command) => {
      const { api, out } = session(command);
      const run = await watchRun(api, runId, { intervalMs: Math.max(200, opts.interval), json: out.json });
      if (run.status !== 'completed') throw new RunDidNotComplete(`run ${run.runId} ended ${run.status}`);
    });

  runs
    .command('reprocess <runId>')
    .description('work a business item again whose run ended (supervisors); the reason is kept in the new run’s audit')
    .requiredOption('--reason <text>', 'why the item is worked again')
    .action(async (runId: string, opts: { reason: string }, command: Command) => {
      const { api, out } = session(command);
      const started = await api.post<RunStart>(path('runs', runId, 'reprocess'), { reason: opts.reason });
      emit(out, started, () => `Reprocessing ${runId} as ${started.runId}\n  follow it: tandem runs watch ${started.runId}`);
    });

  runs
    .command('cancel <runId>')
    .description('cancel a run (supervisors, process admins): its tasks are withdrawn and what its process declares is undone; the reason is kept in its audit')
    .requiredOption('--reason <text>', 'why the run is stopped')
    .action(async (runId: string, opts: { reason: string }, command: Command) => {
      const { api, out } = session(command);
      const run = await api.post<Run>(path('runs', runId, 'cancel'), { reason: opts.reason });
      const by = run.cancellation ? ` by ${run.cancellation.by}` : '';
      emit(out, run, () => `Cancelling ${runId}${by}: ${run.cancellation?.reason ?? opts.reason}\n  follow it: tandem runs watch ${runId}`);
    });
}
