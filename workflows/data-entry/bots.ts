// The bot steps DataEntry uses, as the workflow sees them. Their Playwright implementations live
// in bot-steps.ts and run only on the bot worker.
import type { CrmRecord } from './record';

export interface CrmBotInput {
  client: string;
  /** Name of the login in the credential store (`<client>/client-crm`); the workflow never holds the secret. */
  credential: string;
}

export interface EnterRecordInput extends CrmBotInput {
  record: CrmRecord;
  /** Idempotency reference, kept in the CRM's external reference field and searched for before saving. */
  reference: string;
}

export interface EnteredRecord {
  reference: string;
  /** The CRM's record id, e.g. `CR-000012`. */
  recordId: string;
  /** False when a record with this reference was already there (an earlier attempt saved it). */
  entered: boolean;
}

export interface DataEntryBots {
  enterCrmRecord(input: EnterRecordInput): Promise<EnteredRecord>;
}
