// The `tandem` command: global flags, one group of commands per resource, and one place that
// turns every failure into a readable message on stderr and its exit code.
import { Command, CommanderError } from 'commander';
import { ApiRefusal, ApiUnreachable, describeProblem, EXIT, RunDidNotComplete, UsageError } from './errors';
import { registerBatches } from './commands/batches';
import { registerNew } from './commands/new-process';
import { registerRuns } from './commands/runs';
import { registerSchedules } from './commands/schedules';
import { registerTasks } from './commands/tasks';

const EXIT_CODES = `
Where it connects: --api, else $TANDEM_API_URL, else this checkout's local stack (bash scripts/stack.sh env).
Who it is: --token, --token-file, $TANDEM_TOKEN, $TANDEM_TOKEN_FILE (bearer token), else $TANDEM_API_KEY (X-Api-Key).

Exit codes: 0 done; 2 usage error; 3 the API refused (problem+json on stderr); 4 the API did not answer;
5 runs watch: the run ended without completing; 1 anything unexpected.`;

export function buildProgram(): Command {
  const program = new Command('tandem')
    .description('Tandem from the terminal: start and follow runs, work tasks, manage schedules and batches, over the HTTP API')
    .option('--api <url>', 'the API’s address')
    .option('--token <token>', 'a bearer token')
    .option('--token-file <file>', 'a file holding a bearer token')
    .option('--json', 'print the API’s JSON answers (for scripts); errors as problem+json on stderr')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES);
  registerRuns(program);
  registerTasks(program);
  registerSchedules(program);
  registerBatches(program);
  registerNew(program);
  return program;
}

/** Runs the command line; answers the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    return report(err, program.opts<{ json?: boolean }>().json ?? false);
  }
}

function report(err: unknown, json: boolean): number {
  const say = (lines: string[]) => process.stderr.write(`${lines.map((l, i) => (i === 0 ? `tandem: ${l}` : l)).join('\n')}\n`);
  // Commander has printed its own message (or the help) already.
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof UsageError) {
    say([err.message, '(add --help for usage)']);
    return EXIT.usage;
  }
  if (err instanceof ApiRefusal) {
    if (json) process.stderr.write(`${JSON.stringify(err.problem)}\n`);
    else say(describeProblem(err.problem, err.retryAfter));
    return EXIT.refused;
  }
  if (err instanceof ApiUnreachable) {
    say([err.message, '  Is the API running? Pass --api <url> or set TANDEM_API_URL.']);
    return EXIT.unreachable;
  }
  if (err instanceof RunDidNotComplete) {
    say([err.message]);
    return EXIT.runDidNotComplete;
  }
  say([`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`]);
  return EXIT.unexpected;
}
