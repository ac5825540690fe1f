// DataEntry's bot steps, run on the bot worker (never imported by the workflow bundle).
import { defineBotActivity, type BotContext, type BotRuntime } from '../../activities/bots/bot-activity';
import { performOnce } from '../../activities/bots/exactly-once';
import { ClientCrm } from '../../bots/client-crm/client-crm';
import type { DataEntryBots, EnterRecordInput, EnteredRecord } from './bots';

async function enterCrmRecord(bot: BotContext, input: EnterRecordInput): Promise<EnteredRecord> {
  const crm = new ClientCrm(bot.page, bot.apps.urlOf(input.client, 'client-crm'));
  await crm.login(await bot.credential(input.credential));
  bot.progress({ stage: 'searching', reference: input.reference });
  const { value, performed } = await performOnce({
    find: () => crm.findByReference(input.reference),
    perform: () => {
      bot.progress({ stage: 'saving' });
      return crm.createRecord(input.record, input.reference);
    },
  });
  bot.progress({ stage: performed ? 'saved' : 'found', recordId: value.recordId });
  return { reference: value.reference, recordId: value.recordId, entered: performed };
}

export function createDataEntryBots(runtime: BotRuntime): DataEntryBots {
  return {
    enterCrmRecord: defineBotActivity(runtime, enterCrmRecord),
  };
}

/** The bot worker finds this folder's bot steps by this default export (workers/bot-activities.ts). */
export default createDataEntryBots;
