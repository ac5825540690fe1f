// Every bot activity runs through here: a fresh browser context from the pool, heartbeats so a
// dead bot worker is noticed in seconds, a hard deadline so an attempt never outlives its
// timeout, evidence (screenshot + trace) on failure, timeout or cancellation, credentials resolved
// on demand (with a session slot for that client login) and scrubbed from any error, and business
// exceptions turned into non-retryable failures the workflow routes to a human.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Page } from 'playwright-core';
import type { BrowserPool } from '../../bots/runtime/browser-pool';
import { BusinessException } from '../../bots/runtime/business-exception';
import { armDeadline, BotStepTimedOut, hardDeadlineAt } from '../../bots/runtime/hard-deadline';
import { LoginHolds } from '../../bots/runtime/login-holds';
import type { LoginSessions } from '../../bots/runtime/login-sessions';
import { ProgressBeat } from '../../bots/runtime/progress-beat';
import { attendedReporter } from './attended-report';
import { ATTENDED_BOT_TASK_QUEUE, ATTENDED_EVIDENCE_GRACE_MS } from '../../workflows/engine/attended-bot';
import { BUSINESS_EXCEPTION, RUN_CANCELLED, type BusinessExceptionDetails } from '../../workflows/engine/failures';
import type { ArtifactStore } from '../artifacts';
import type { Credential, CredentialStore } from '../credentials';
import type { ClientApps } from './client-apps';
import type { BotMetrics } from '../../platform/metrics/bot-metrics';

export interface BotRuntime {
  pool: BrowserPool;
  credentials: CredentialStore;
  /** Session slots per client login, shared by every bot worker (Redis). The bot worker always
   *  wires it; optional only so in-process benches and tests can run bots without a cap. */
  sessions?: LoginSessions;
  artifacts: ArtifactStore;
  apps: ClientApps;
  /** How often a running bot heartbeats; default 2 s (the heartbeat timeout is 10 s). */
  heartbeatEveryMs?: number;
  /** Time kept back before the hard timeout for evidence and closing; default min(5 s, a tenth). */
  hardTimeoutMarginMs?: number;
  /** Step durations and failures for this worker's metrics endpoint. */
  metrics?: BotMetrics;
}

export interface BotContext {
  page: Page;
  runId: string;
  attempt: number;
  apps: ClientApps;
  /** Resolves a named login and takes one of its session slots (waiting while the client app's
   *  limit is reached); the slot is held until the step ends. */
  credential(name: string): Promise<Credential>;
  /** Saves a screenshot of the page as a run artifact; returns its artifact key. */
  screenshot(name: string): Promise<string>;
  /** Records how far the bot got; sent with the next heartbeat. */
  progress(detail: Record<string, unknown>): void;
  /** The progress the previous attempt last heartbeated (undefined on a first attempt): where to resume. */
  resume: Record<string, unknown> | undefined;
  /** Aborts when the step must stop (cancelled, hard timeout, login slot lost). */
  signal: AbortSignal;
  /**
   * The cancel fence: call right before the action that writes to the client application. Throws
   * when the step was aborted or its run has a cancel request in Temporal, even one whose heartbeat
   * reply has not reached this step yet, so a run cancelled before the write never writes.
   */
  beforeWrite(): Promise<void>;
  /**
   * For a cancelled run's compensation: waits (up to `maxMs`) until no other step of the run is
   * still running in Temporal. A step cut short by the cancel stops at its next heartbeat; until
   * then a submit it had already sent may still land, and the compensation must see it.
   */
  otherStepsSettled(maxMs?: number): Promise<void>;
}

export type BotStep<I, O> = (bot: BotContext, input: I) => Promise<O>;

export interface BotActivityOptions<I> {
  /** The client login the step signs in with, known from its input. Given, the login's session slot
   *  is taken before a browser context (a bot waiting for a busy login holds none), and the context
   *  is kept signed in for the next step of that login (see BrowserPool's `session`). */
  login?: (input: I) => string;
}

const REDACTED = '[redacted]';
/** Progress key shown while the bot waits for a busy login; runtime state, not the step's. */
export const WAITING_FOR_LOGIN = 'waitingForLogin';

class StepEnded extends Error {
  override readonly name = 'StepEnded';
}

export function defineBotActivity<I, O>(runtime: BotRuntime, step: BotStep<I, O>, opts: BotActivityOptions<I> = {}): (input: I) => Promise<O> {
  return async (input: I): Promise<O> => {
    const enteredAt = Date.now();
    const ctx = Context.current();
    const { info } = ctx;
    const runId = info.workflowExecution?.workflowId ?? 'no-run';
    const secrets = new Set<string>();
    const resume = withoutWaiting(info.heartbeatDetails as Record<string, unknown> | undefined);
    // An attended run is stopped at its declared deadline: its start-to-close timeout adds a grace for the evidence.
    const attended = info.taskQueue === ATTENDED_BOT_TASK_QUEUE;
    const stop = attemptAbort(ctx, enteredAt, attended ? ATTENDED_EVIDENCE_GRACE_MS : runtime.hardTimeoutMarginMs);
    // Start from the last attempt's progress, so a crash before the next report does not lose it.
    const report = attendedReporter(ctx);
    const beat = new ProgressBeat({
      heartbeat: (d) => {
        ctx.heartbeat(d);
        report?.(d);
      },
      initial: resume,
      everyMs: runtime.heartbeatEveryMs ?? 2000,
    });
    const logins = runtime.sessions && new LoginHolds({
      sessions: runtime.sessions,
      holder: { id: `${runId}/${info.workflowExecution?.runId ?? ''}/${info.activityId}`, attempt: info.attempt },
      signal: stop.signal,
      onLost: (reason) => stop.abort(reason),
      onWaiting: (login) => {
        if (login) beat.merge({ [WAITING_FOR_LOGIN]: login });
        else beat.remove(WAITING_FOR_LOGIN);
        beat.beat();
      },
    });
    const timer = runtime.metrics?.start(info.activityType);
    const resolved = new Map<string, Promise<Credential>>();
    const credential = (name: string): Promise<Credential> => {
      let resolving = resolved.get(name);
      if (!resolving) {
        resolving = (async () => {
          const found = await runtime.credentials.resolve(name);
          secrets.add(found.password);
          await logins?.take(name, found.maxSessions ?? 1);
          return found;
        })();
        resolved.set(name, resolving);
      }
      return resolving;
    };
    try {
      const evidence = { dir: await runtime.artifacts.runDir(runId), name: `${info.activityType}-attempt${info.attempt}` };
      const login = opts.login?.(input);
      // The login's slot before any context; a context kept for it only up to its session cap.
      const declared = login === undefined ? undefined : await credential(login);
      const session = login === undefined || !declared ? undefined : { login, fingerprint: fingerprintOf(declared), maxIdle: declared.maxSessions ?? 1 };
      const result = await runtime.pool.withContext(
        (page) =>
          step(
            {
              page,
              runId,
              attempt: info.attempt,
              apps: runtime.apps,
              credential,
              async screenshot(name) {
                const path = runtime.artifacts.join(runId, `${name}.png`);
                await page.screenshot({ path, fullPage: true });
                return runtime.artifacts.keyOf(path);
              },
              progress: (detail) => beat.merge(detail),
              resume,
              signal: stop.signal,
              beforeWrite: () => cancelFence(ctx, stop.signal),
              otherStepsSettled: (maxMs) => otherStepsSettled(ctx, stop.signal, maxMs),
            },
            input,
          ),
        // Evidence for a timeout or a lost login; a cancelled run only needs its page closed.
        { signal: stop.signal, evidence, evidenceOnAbort: (reason) => !(reason instanceof CancelledFailure), session },
      );
      timer?.succeeded();
      return result;
    } catch (err) {
      timer?.failed(err instanceof BusinessException ? 'business' : 'system');
      // Temporal's own cancellation goes back as is, so the workflow sees a cancelled activity.
      if (err instanceof CancelledFailure && err === ctx.cancellationSignal.reason) throw err;
      if (err instanceof ApplicationFailure && err.type === RUN_CANCELLED) throw err;
      throw toFailure(err, runtime.artifacts, secrets);
    } finally {
      beat.stop();
      stop.end();
      await logins?.releaseAll();
    }
  };
}

/** One abort for the attempt: Temporal's cancellation, the hard deadline, or a lost login slot. */
function attemptAbort(ctx: Context, enteredAt: number, marginMs: number | undefined): { signal: AbortSignal; abort: (reason: unknown) => void; end: () => void } {
  const { info, cancellationSignal } = ctx;
  const stop = new AbortController();
  const cancel = (): void => stop.abort(cancellationSignal.reason);
  if (cancellationSignal.aborted) cancel();
  else cancellationSignal.addEventListener('abort', cancel, { once: true });
  const deadline = armDeadline(hardDeadlineAt({ ...info, marginMs }), () => stop.abort(new BotStepTimedOut(info.activityType, Date.now() - enteredAt)));
  return {
    signal: stop.signal,
    abort: (reason) => stop.abort(reason),
    // Also abandons any wait for a login the step left behind.
    end: () => {
      deadline.clear();
      cancellationSignal.removeEventListener('abort', cancel);
      if (!stop.signal.aborted) stop.abort(new StepEnded('bot step ended'));
    },
  };
}

/**
 * Asks Temporal itself whether the run is still wanted. A cancel reaches a running activity only
 * with a heartbeat's reply (throttled), so the abort signal alone can be late by a heartbeat; the
 * cancel request, though, is in the run's history before the API answers the cancel. A describe
 * costs a few milliseconds, once per write.
 */
async function cancelFence(ctx: Context, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw signal.reason;
  const execution = ctx.info.workflowExecution;
  if (!execution) return; // not a workflow's activity: no run to cancel
  let client;
  try {
    client = ctx.client;
  } catch {
    return; // an activity run without a worker's client (a bench): the abort signal is all there is
  }
  const run = await client.workflow.getHandle(execution.workflowId, execution.runId).describe();
  if (run.status.name !== 'RUNNING' || run.raw.workflowExtendedInfo?.cancelRequested) {
    throw ApplicationFailure.create({
      type: RUN_CANCELLED,
      nonRetryable: true,
      message: `Run ${execution.workflowId} is ${run.status.name === 'RUNNING' ? 'being cancelled' : run.status.name.toLowerCase()}: nothing was written`,
    });
  }
}

async function otherStepsSettled(ctx: Context, signal: AbortSignal, maxMs = 15_000): Promise<void> {
  const execution = ctx.info.workflowExecution;
  let client;
  try {
    client = ctx.client;
  } catch {
    return;
  }
  if (!execution) return;
  const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
  const until = Date.now() + maxMs;
  while (Date.now() < until && !signal.aborted) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    if (!pending.some((a) => a.activityId !== ctx.info.activityId)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Who a kept context is signed in as: a changed user or password never reuses the old session. */
function fingerprintOf(credential: Credential): string {
  return createHash('sha256').update(`${credential.username}\0${credential.password}`).digest('base64url').slice(0, 22);
}

function withoutWaiting(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details || typeof details !== 'object') return details;
  const rest = { ...details };
  delete rest[WAITING_FOR_LOGIN];
  return rest;
}

function toFailure(err: unknown, artifacts: ArtifactStore, secrets: Set<string>): ApplicationFailure {
  const scrub = (text: string): string => [...secrets].reduce((t, s) => t.split(s).join(REDACTED), text);
  const raw = (err as { evidence?: { screenshotPath?: string; tracePath?: string } }).evidence;
  const evidence = raw && {
    screenshot: raw.screenshotPath && artifacts.keyOf(raw.screenshotPath),
    trace: raw.tracePath && artifacts.keyOf(raw.tracePath),
  };
  if (err instanceof BusinessException) {
    const details: BusinessExceptionDetails = { code: err.code, details: JSON.parse(scrub(JSON.stringify(err.details))), evidence };
    return ApplicationFailure.create({ type: BUSINESS_EXCEPTION, message: scrub(err.message), nonRetryable: true, details: [details] });
  }
  const error = err instanceof Error ? err : new Error(String(err));
  // A system fault: retried by the activity's retry policy. The stack is dropped because it may
  // quote page content or typed values; the message is kept, scrubbed.
  const failure = ApplicationFailure.create({ type: error.name || 'Error', message: scrub(error.message), details: [{ evidence }] });
  failure.stack = `${failure.type}: ${failure.message}`;
  return failure;
}
