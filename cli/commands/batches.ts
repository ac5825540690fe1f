// `tandem batches …`: an item batch's progress and its items, a page at a time.
import type { Command } from 'commander';
import { path } from '../api-client';
import type { Batch, BatchItems } from '../api-types';
import { emit, fields, table, when } from '../output';
import { integer, session } from '../session';

const itemRows = (items: Batch['attended']) =>
  table(
    ['item', 'status', 'attempts', 'item run', 'last failure'],
    items.map((i) => [i.ref, i.status, String(i.attempts), i.itemRunId ?? '', i.lastFailure ? `${i.lastFailure.code}: ${i.lastFailure.message}` : '']),
  );

export function registerBatches(program: Command): void {
  const batches = program.command('batches').description('item batches: progress and items');

  batches
    .command('get <batchId>')
    .description('a batch’s progress: items by status, items a person is on')
    .action(async (batchId: string, _opts: object, command: Command) => {
      const { api, out } = session(command);
      const batch = await api.get<Batch>(path('batches', batchId));
      emit(out, batch, () =>
        [
          fields([
            ['Batch', batch.batchId],
            ['Process', batch.process],
            ['Client', batch.client],
            ['Key', batch.batchKey],
            ['Status', `${batch.status} (${batch.phase})`],
            ['Started', when(batch.startedAt)],
            ['Closed', when(batch.closedAt)],
            ['Items', `${batch.total}${batch.concurrency ? `, ${batch.concurrency} at a time` : ''}${batch.skippedFromEarlierRun ? `, ${batch.skippedFromEarlierRun} done by an earlier run` : ''}`],
          ]),
          '',
          table(['status', 'items'], Object.entries(batch.counts).map(([status, n]) => [status, String(n)])),
          ...(batch.attended.length ? ['', `With a person\n${itemRows(batch.attended)}`] : []),
        ].join('\n'),
      );
    });

  batches
    .command('items <batchId>')
    .description('a page of the batch’s items in batch order')
    .option('--status <status>', 'only items of this status: pending, running, attended, done, skipped, completed-manually')
    .option('--after <ref>', 'the previous page’s next')
    .option('--limit <n>', 'items per page', integer)
    .action(async (batchId: string, opts: { status?: string; after?: string; limit?: number }, command: Command) => {
      const { api, out } = session(command);
      const page = await api.get<BatchItems>(path('batches', batchId, 'items'), opts);
      emit(out, page, () => [itemRows(page.items), ...(page.next ? [`next page: --after ${page.next}`] : [])].join('\n'));
    });
}
