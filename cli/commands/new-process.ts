// `tandem new process <name>`: the scaffold (scripts/new-process.ts) from the command line, for
// process developers; it writes files in this checkout and talks to no API.
import { relative } from 'node:path';
import type { Command } from 'commander';
import { newProcess } from '../../scripts/new-process';
import { UsageError } from '../errors';

export function registerNew(program: Command): void {
  const create = program.command('new').description('Write something new into this checkout');
  create
    .command('process <name>')
    .description('Write workflows/<name>/: input schema, a workflow with a bot step and a human check, its definition and tests (they pass as generated)')
    .option('--title <title>', 'the process’s title (default: from its name)')
    .option('--workflows-dir <dir>', 'the workflows folder to write into (default: this checkout’s)')
    .action((name: string, options: { title?: string; workflowsDir?: string }) => {
      let files: string[];
      try {
        files = newProcess({ name, title: options.title, workflowsDir: options.workflowsDir });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      process.stdout.write(`wrote ${files.length} files:\n${files.map((f) => `  ${relative(process.cwd(), f)}`).join('\n')}\n`);
      process.stdout.write(`\nnext: npx vitest run workflows/${name}   (then make it yours: docs/AUTHORING.md)\n`);
    });
}
