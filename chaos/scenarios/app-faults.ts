// A client web application that misbehaves mid-batch: the sandbox CRM hangs (every page held back
// 40 s, past the bot's 30 s page timeout), then logs the bot out at once after every sign-in, then
// answers 500 to everything, switched through its quirks (sandbox/client-crm/quirks.ts). Bot
// steps retry with backoff (bot-step.ts: 5 attempts, 1 s doubling); an item whose attempts run out
// goes to people as an exception task, which the data-entry operator (dana.kim) sends back with
// `retry` once the app behaves. Nothing may be written twice: every item exactly once in the
// CRM's ledger, however many attempts it took and whatever the hung requests did when they woke.
import { sleep, type Tandem } from '../lib/tandem';
import type { Verdict } from '../lib/verdict';

export interface AppFaultsOptions {
  items: number;
  concurrency: number;
  /** How long each fault mode lasts, in order. */
  phases: Array<{ fault: 'hang' | 'errors' | 'logout'; ms: number }>;
  deadlineMs: number;
}

const FAULTS = {
  // Longer than Playwright's 30 s default timeout: the bot gives up on the page, the request
  // itself carries on and lands late.
  hang: { slowPageProbability: 1, slowPageDelayMs: 40_000 },
  errors: { serverErrorProbability: 1 },
  logout: { sessionTtlMs: 1 },
} as const;
/** The CRM's defaults (sandbox/client-crm/quirks.ts) for what FAULTS switch. */
const BEHAVING = { slowPageProbability: 0, slowPageDelayMs: 2_000, serverErrorProbability: 0, sessionTtlMs: 15 * 60_000 };
const TEAM = 'data-entry';

export async function appFaults(tandem: Tandem, options: AppFaultsOptions, log: (line: string) => void): Promise<Verdict> {
  const started = performance.now();
  const batchKey = `chaos-app-faults-${Date.now()}`;
  const { runId, refs } = await tandem.startDataEntry(batchKey, options.items, options.concurrency);
  const deadline = Date.now() + options.deadlineMs;
  const windowMs = options.phases.reduce((n, p) => n + p.ms, 0);
  log(`app-faults: run ${runId}, ${options.items} items; the CRM misbehaves for ${windowMs / 1000} s (${options.phases.map((p) => `${p.fault} ${p.ms / 1000} s`).join(', ')})`);

  // Mid-batch: a few items keyed before the app turns bad.
  const startAt = Math.max(1, Math.floor(options.items * 0.15));
  let doneBefore = 0;
  for (; Date.now() < deadline; await sleep(500)) {
    doneBefore = (await tandem.progress(runId))?.done ?? 0;
    if (doneBefore >= startAt) break;
  }
  try {
    for (const phase of options.phases) {
      await tandem.crmQuirks({ ...BEHAVING, ...FAULTS[phase.fault] });
      log(`app-faults: CRM ${phase.fault} for ${phase.ms / 1000} s (${(await tandem.progress(runId))?.done ?? '?'}/${options.items} done)`);
      await sleep(phase.ms);
    }
  } finally {
    await tandem.crmQuirks(BEHAVING);
  }
  const behavingAt = performance.now();
  const atEnd = await tandem.progress(runId);
  log(`app-faults: CRM behaving again; ${atEnd?.done ?? '?'} done, ${atEnd?.attended ?? '?'} with people`);

  // People send every exception back with `retry` until the batch finishes.
  let toPeople = 0;
  let finished: string | undefined;
  for (; Date.now() < deadline; ) {
    const p = await tandem.progress(runId);
    if (p && p.runStatus !== 'running') {
      finished = p.runStatus;
      break;
    }
    const taken = await tandem.as('dana.kim', 'POST', `/teams/${TEAM}/take-next`, {});
    const task = taken.status === 200 ? (taken.json.task as { taskId: string; claim?: { leaseId: string } } | null) : null;
    if (!task) {
      await sleep(1_000);
      continue;
    }
    for (let attempt = 0; attempt < 10; attempt++, await sleep(500)) {
      const reply = await tandem.as('dana.kim', 'POST', `/tasks/${encodeURIComponent(task.taskId)}/complete`, { action: 'retry', data: { note: 'client CRM is back' }, leaseId: task.claim?.leaseId }, `retry-${task.taskId}`);
      if (reply.status === 200) {
        toPeople++;
        break;
      }
      if (reply.status >= 400 && reply.status < 500) {
        log(`app-faults: retry of ${task.taskId}: ${reply.status} ${JSON.stringify(reply.json).slice(0, 300)}`);
        break;
      }
    }
  }
  const recoverS = (performance.now() - behavingAt) / 1000;

  const final = await tandem.progress(runId);
  const ledger = await tandem.ledger(refs);
  const items = final?.batchId ? await batchItems(tandem, final.batchId) : undefined;
  const attempts = items?.reduce((n, i) => n + i.attempts, 0);
  const failedOnce = items?.filter((i) => i.lastFailure).length;
  return {
    scenario: 'app-faults',
    pass: finished === 'completed' && final?.done === options.items && ledger.once === options.items && ledger.lost.length === 0 && ledger.duplicates === 0 && toPeople > 0,
    figures: {
      items: options.items,
      'fault s': windowMs / 1000,
      'done before': doneBefore,
      run: finished ?? `not finished in ${options.deadlineMs / 1000} s`,
      done: final?.done ?? 'unknown',
      'sent to people': toPeople,
      'items that failed': failedOnce ?? '-',
      'item attempts': attempts ?? '-',
      losses: ledger.lost.length,
      duplicates: ledger.duplicates,
      'finished s after the app behaved': recoverS.toFixed(1),
      s: ((performance.now() - started) / 1000).toFixed(0),
    },
    ...(toPeople === 0 ? { notes: ['no item ran out of attempts: the fault window was too short to reach people'] } : {}),
  };
}

/** Every item of the batch with its attempts and last failure; undefined when the API cannot list them. */
async function batchItems(tandem: Tandem, batchId: string): Promise<Array<{ attempts: number; lastFailure?: unknown }> | undefined> {
  const all: Array<{ attempts: number; lastFailure?: unknown }> = [];
  let after: string | undefined;
  do {
    const page = await tandem.as('supervisor', 'GET', `/batches/${encodeURIComponent(batchId)}/items?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    if (page.status !== 200) return undefined;
    all.push(...(page.json.items as Array<{ attempts: number; lastFailure?: unknown }>));
    after = page.json.next as string | undefined;
  } while (after);
  return all;
}
