// DataEntry's enterCrmRecord bot step as the bot worker runs it (defineBotActivity around the page
// object, in a mock activity context), against the sandbox CRM in real Chromium.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../activities/artifacts';
import type { BotRuntime } from '../../activities/bots/bot-activity';
import { StaticClientApps } from '../../activities/bots/client-apps';
import { BrowserPool } from '../../bots/runtime/browser-pool';
import { DEFAULT_QUIRKS } from '../../sandbox/client-crm/quirks';
import { BOT_CREDENTIALS } from '../../sandbox/client-crm/seed';
import type { EnteredRecord, EnterRecordInput } from '../../workflows/data-entry/bots';
import { createDataEntryBots } from '../../workflows/data-entry/bot-steps';
import { BUSINESS_EXCEPTION, type BusinessExceptionDetails } from '../../workflows/engine/failures';
import { sampleCustomer, startCrm, type RunningCrm } from './crm-harness';
import { tempDir } from './sandbox-harness';

const dir = tempDir('crm-activity');
const pool = new BrowserPool({ maxContexts: 2 });
let crm: RunningCrm;
let runtime: BotRuntime;

beforeAll(async () => {
  crm = await startCrm({ ledgerPath: join(dir.path, 'ledger.jsonl') });
  runtime = {
    pool,
    credentials: {
      async resolve(name) {
        const credential = BOT_CREDENTIALS[name as keyof typeof BOT_CREDENTIALS];
        if (!credential) throw new Error(`no credential ${name}`);
        return credential;
      },
    },
    artifacts: new ArtifactStore(join(dir.path, 'artifacts')),
    apps: new StaticClientApps({ 'client-crm': crm.url }),
    heartbeatEveryMs: 100,
  };
});

afterEach(async () => {
  await crm.setQuirks({ ...DEFAULT_QUIRKS });
});

afterAll(async () => {
  await pool.close();
  await crm?.close();
  dir.remove();
});

function entryFor(reference: string, overrides: Parameters<typeof sampleCustomer>[0] = {}): EnterRecordInput {
  return { client: 'acme-health', credential: 'acme-health/client-crm', record: sampleCustomer(overrides), reference };
}

/** One attempt of the activity, with the heartbeats it sent. */
function attempt(runId: string, n: number, heartbeatDetails?: unknown) {
  const env = new MockActivityEnvironment({
    attempt: n,
    activityType: 'enterCrmRecord',
    heartbeatDetails,
    // The mock's default one-second budget would trip the bot step's hard deadline.
    startToCloseTimeoutMs: 60_000,
    scheduleToCloseTimeoutMs: 0,
    workflowExecution: { workflowId: runId, runId: randomUUID() },
  }, { logger: new DefaultLogger('WARN') });
  const heartbeats: Array<Record<string, unknown>> = [];
  env.on('heartbeat', (detail: Record<string, unknown>) => heartbeats.push(detail));
  const bots = createDataEntryBots(runtime);
  return { env, heartbeats, run: (input: EnterRecordInput): Promise<EnteredRecord> => env.run(bots.enterCrmRecord, input) };
}

describe('enterCrmRecord bot step', () => {
  it('enters a record once; run again, it finds it instead, and reports progress without field values', async () => {
    const runId = `data-entry-${randomUUID()}`;
    const input = entryFor(`${runId}:enter-record`);
    const first = attempt(runId, 1);
    const entered = await first.run(input);
    const again = await attempt(runId, 1).run(input);

    const [entry] = await crm.ledger({ reference: input.reference });
    expect(entered).toEqual({ reference: input.reference, recordId: entry?.recordId, entered: true });
    expect(again).toEqual({ ...entered, entered: false });
    expect(await crm.ledger({ reference: input.reference })).toHaveLength(1);

    expect(first.heartbeats.map((h) => h.stage)).toEqual(expect.arrayContaining(['searching', 'saving', 'saved']));
    expect(first.heartbeats.at(-1)).toEqual({ stage: 'saved', reference: input.reference, recordId: entry?.recordId });
    const reported = JSON.stringify(first.heartbeats);
    for (const value of [input.record.email, input.record.phone, input.record.dateOfBirth, input.record.accountNumber, BOT_CREDENTIALS['acme-health/client-crm'].password]) {
      expect(reported).not.toContain(value);
    }
  });

  it('does not write twice when the attempt that saved died before the CRM answered', async () => {
    const runId = `data-entry-${randomUUID()}`;
    const input = entryFor(`${runId}:enter-record`);
    await crm.setQuirks({ submitResponseDelayMs: 5_000 });
    const first = attempt(runId, 1);
    const dying = first.run(input).catch((e: unknown) => e);
    await crm.waitForEntry(input.reference);
    first.env.cancel(); // the worker is gone: its browser context closes mid-request
    const lost = await dying;
    expect(lost).toBeInstanceOf(Error);
    expect((lost as ApplicationFailure).type).not.toBe(BUSINESS_EXCEPTION);
    await crm.setQuirks({ submitResponseDelayMs: 0 });

    const retried = await attempt(runId, 2, first.heartbeats.at(-1)).run(input);
    const entries = await crm.ledger({ reference: input.reference });
    expect(entries).toHaveLength(1);
    expect(retried).toEqual({ reference: input.reference, recordId: entries[0]?.recordId, entered: false });
  });

  it('turns a duplicate account into a non-retryable business failure with the details', async () => {
    const runId = `data-entry-${randomUUID()}`;
    const input = entryFor(`${runId}:enter-record`, { accountNumber: 'AC-100007' });
    const failure = await attempt(runId, 1)
      .run(input)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const { type, nonRetryable, details } = failure as ApplicationFailure;
    expect([type, nonRetryable]).toEqual([BUSINESS_EXCEPTION, true]);
    const [business] = details as BusinessExceptionDetails[];
    expect(business?.code).toBe('DuplicateAccount');
    expect(business?.details).toMatchObject({ reference: input.reference, accountNumber: 'AC-100007', existingRecordId: 'CR-100007' });
    expect(await crm.ledger({ reference: input.reference })).toEqual([]);
  });
});
