// Every bot activity runs through here: a fresh browser context from the pool, heartbeats so a
// dead bot worker is noticed in seconds, evidence (screenshot + trace) on failure, credentials
// resolved on demand and scrubbed from any error, and business exceptions turned into
// non-retryable failures the workflow routes to a human.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Page } from 'playwright-core';
import type { BrowserPool } from '../../bots/runtime/browser-pool';
import { BusinessException } from '../../bots/runtime/business-exception';
import { BUSINESS_EXCEPTION, type BusinessExceptionDetails } from '../../workflows/engine/failures';
import type { ArtifactStore } from '../artifacts';
import type { Credential, CredentialStore } from '../credentials';
import type { ClientApps } from './client-apps';
import type { BotMetrics } from '../../platform/metrics/bot-metrics';

export interface BotRuntime {
  pool: BrowserPool;
  credentials: CredentialStore;
  artifacts: ArtifactStore;
  apps: ClientApps;
  /** How often a running bot heartbeats; default 2 s (the heartbeat timeout is 10 s). */
  heartbeatEveryMs?: number;
  /** Step durations and failures for this worker's metrics endpoint. */
  metrics?: BotMetrics;
}

export interface BotContext {
  page: Page;
  runId: string;
  attempt: number;
  apps: ClientApps;
  credential(name: string): Promise<Credential>;
  /** Saves a screenshot of the page as a run artifact; returns its artifact key. */
  screenshot(name: string): Promise<string>;
  /** Records how far the bot got; sent with the next heartbeat. */
  progress(detail: Record<string, unknown>): void;
  /** The progress the previous attempt last heartbeated (undefined on a first attempt): where to resume. */
  resume: Record<string, unknown> | undefined;
}

export type BotStep<I, O> = (bot: BotContext, input: I) => Promise<O>;

const REDACTED = '[redacted]';

export function defineBotActivity<I, O>(runtime: BotRuntime, step: BotStep<I, O>): (input: I) => Promise<O> {
  return async (input: I): Promise<O> => {
    const ctx = Context.current();
    const { info } = ctx;
    const runId = info.workflowExecution?.workflowId ?? 'no-run';
    const secrets = new Set<string>();
    const resume = info.heartbeatDetails as Record<string, unknown> | undefined;
    // Start from the last attempt's progress, so a crash before the next report does not lose it.
    let progress: Record<string, unknown> = { ...resume };
    ctx.heartbeat(progress);
    const beat = setInterval(() => ctx.heartbeat(progress), runtime.heartbeatEveryMs ?? 2000);
    const evidenceDir = await runtime.artifacts.runDir(runId);
    const evidenceName = `${info.activityType}-attempt${info.attempt}`;
    const timer = runtime.metrics?.start(info.activityType);
    try {
      const result = await runtime.pool.withContext(
        (page) =>
          step(
            {
              page,
              runId,
              attempt: info.attempt,
              apps: runtime.apps,
              async credential(name) {
                const credential = await runtime.credentials.resolve(name);
                secrets.add(credential.password);
                return credential;
              },
              async screenshot(name) {
                const path = runtime.artifacts.join(runId, `${name}.png`);
                await page.screenshot({ path, fullPage: true });
                return runtime.artifacts.keyOf(path);
              },
              progress(detail) {
                progress = { ...progress, ...detail };
              },
              resume,
            },
            input,
          ),
        { signal: ctx.cancellationSignal, evidence: { dir: evidenceDir, name: evidenceName } },
      );
      timer?.succeeded();
      return result;
    } catch (err) {
      timer?.failed(err instanceof BusinessException ? 'business' : 'system');
      throw toFailure(err, runtime.artifacts, secrets);
    } finally {
      clearInterval(beat);
    }
  };
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
