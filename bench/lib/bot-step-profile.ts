// Where one ClaimReview `extractClaim` step's time goes, line by line: the production step
// (`createClaimReviewBots` → `defineBotActivity` → BrowserPool → ClaimsSystem) run as a Temporal
// activity attempt without a server (MockActivityEnvironment), one step at a time, with every
// Playwright call it makes timed (performance.now around each public async method of Browser,
// BrowserContext, Tracing, Page and Locator, outermost calls only) and every request the in-process
// claims sandbox answered timed by the server itself. Three ways: the bare floor's plain calls,
// production with a fresh context and sign-in (what every step paid before kept sessions), and
// production with the login's kept signed-in context. Used by `npm run bench:bots -- --profile`.
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Info } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { chromium } from 'playwright-core';
import { ArtifactStore } from '../../activities/artifacts';
import { StaticClientApps } from '../../activities/bots/client-apps';
import { BrowserPool } from '../../bots/runtime/browser-pool';
import { buildClaimsSystem } from '../../sandbox/claims-system/app';
import { createClaimReviewBots } from '../../workflows/claim-review/bot-steps';
import type { ClaimBotInput } from '../../workflows/claim-review/bots';
import { extractClaimStep } from './bot-bare';
import { InMemoryCredentialStore } from './bot-credentials';
import { CLAIMS_APP, claimItems, misread, sandboxCredentials } from './bot-sandbox';

export const PROFILE_WAYS = ['bare', 'fresh', 'kept'] as const;
export type ProfileWay = (typeof PROFILE_WAYS)[number];

export const PROFILE_WAY_LABELS: Record<ProfileWay, string> = {
  bare: 'bare floor (plain Playwright calls, fresh context, sign-in every step)',
  fresh: 'production step, fresh context and sign-in (no kept session)',
  kept: 'production step, the login’s kept signed-in context',
};

/** One line of a step's time line: a Playwright call, or a request as the sandbox answered it. */
export interface ProfileLine {
  what: string;
  /** Median over the profiled steps: from the step's start to this line's start, and its duration. */
  atMs: number;
  ms: number;
  /** Lines that are requests the sandbox served (inside the Playwright call before them). */
  server: boolean;
}

export interface WayProfile {
  way: ProfileWay;
  steps: number;
  /** Median step, wall time. */
  totalMs: number;
  /** Median time of the step in no Playwright call (activity wrapper, credentials, artifacts, Node). */
  outsidePlaywrightMs: number;
  lines: ProfileLine[];
}

interface Event {
  what: string;
  start: number;
  end: number;
  server: boolean;
}

const CLASSES = ['Browser', 'BrowserContext', 'Tracing', 'Page', 'Locator'] as const;
const inCall = new AsyncLocalStorage<true>();

/** Times every public async method of Playwright's client classes (outermost calls only) into `sink`. */
async function instrumentPlaywright(executablePath: string, sink: () => Event[] | undefined): Promise<void> {
  // The client classes are not exported: take their prototypes from live objects of a scratch browser.
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext();
  const page = await context.newPage();
  const protos: Record<(typeof CLASSES)[number], object> = {
    Browser: Object.getPrototypeOf(browser) as object,
    BrowserContext: Object.getPrototypeOf(context) as object,
    Tracing: Object.getPrototypeOf(context.tracing) as object,
    Page: Object.getPrototypeOf(page) as object,
    Locator: Object.getPrototypeOf(page.getByTestId('x')) as object,
  };
  await browser.close();
  for (const cls of CLASSES) {
    const proto = protos[cls] as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const original = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown;
      if (name === 'constructor' || name.startsWith('_') || typeof original !== 'function') continue;
      const label = cls === 'Locator' ? 'locator' : cls.charAt(0).toLowerCase() + cls.slice(1);
      proto[name] = function (this: { _selector?: string }, ...args: unknown[]): unknown {
        const events = sink();
        if (!events || inCall.getStore()) return (original as (...a: unknown[]) => unknown).apply(this, args);
        const start = performance.now();
        const result = inCall.run(true, () => (original as (...a: unknown[]) => unknown).apply(this, args));
        if (!(result instanceof Promise)) return result;
        const what = `${label}.${name}(${describeArgs(cls, name, args, this._selector)})`;
        return result.finally(() => events.push({ what, start, end: performance.now(), server: false }));
      };
    }
  }
}

function describeArgs(cls: string, name: string, args: unknown[], selector: string | undefined): string {
  const first = args[0];
  if (cls === 'Locator') return (selector ?? '').replace(/^internal:testid=\[data-testid="(.+?)"s\]$/, '$1');
  if (name === 'goto' && typeof first === 'string') return new URL(first).pathname;
  if (name === 'screenshot') return (first as { fullPage?: boolean } | undefined)?.fullPage ? 'fullPage' : '';
  if (name === 'evaluate') return '…';
  if (typeof first === 'string') return first.length > 40 ? `${first.slice(0, 37)}…` : first;
  return '';
}

export interface ProfileOptions {
  executablePath: string;
  /** Steps profiled per way (after one untimed step each). */
  steps: number;
  log?: (line: string) => void;
}

export async function profileBotStep(opts: ProfileOptions): Promise<WayProfile[]> {
  let current: Event[] | undefined;
  await instrumentPlaywright(opts.executablePath, () => current);
  const scratch = await mkdtemp(join(tmpdir(), 'tandem-bot-profile-'));
  const app = buildClaimsSystem({ ledgerPath: join(scratch, 'ledger.jsonl') });
  // The server's own time per request (fastify measures from its first hook to the reply sent).
  app.addHook('onResponse', async (request, reply) => {
    const now = performance.now();
    current?.push({ what: `  sandbox ${request.method} ${request.url.split('?')[0]} → ${reply.statusCode}`, start: now - reply.elapsedTime, end: now, server: true });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const apps = new StaticClientApps({ [CLAIMS_APP]: url });
  const credentials = new InMemoryCredentialStore(sandboxCredentials());
  const artifacts = new ArtifactStore(join(scratch, 'artifacts'));
  const pools = { fresh: new BrowserPool({ executablePath: opts.executablePath, maxContexts: 1, maxKeptSessions: 0 }), kept: new BrowserPool({ executablePath: opts.executablePath, maxContexts: 1 }) };
  const bareBrowser = await chromium.launch({ executablePath: opts.executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const info = (n: number): Partial<Info> => ({
    activityType: 'extractClaim',
    activityId: String(n),
    attempt: 1,
    heartbeatTimeoutMs: 10_000,
    startToCloseTimeoutMs: 120_000,
    scheduleToCloseTimeoutMs: 0,
    workflowExecution: { workflowId: `profile-${n}`, runId: 'run-1' },
  });
  let n = 0;
  const runStep = async (way: ProfileWay, item: ClaimBotInput): Promise<void> => {
    if (way === 'bare') {
      const context = await bareBrowser.newContext();
      try {
        const read = await extractClaimStep(await context.newPage(), { apps, credentials, screenshotDir: scratch }, item);
        const wrong = misread(item, read);
        if (wrong) throw new Error(wrong);
      } finally {
        await context.close();
      }
      return;
    }
    const bots = createClaimReviewBots({ pool: pools[way], credentials, artifacts, apps });
    const read = (await new MockActivityEnvironment(info(++n)).run(bots.extractClaim, item)) as { claimRef: string; amountCents: number };
    const wrong = misread(item, read);
    if (wrong) throw new Error(wrong);
  };
  try {
    const profiles: WayProfile[] = [];
    for (const way of PROFILE_WAYS) {
      // One login only, so every kept step finds the last step's context.
      const items = claimItems(2 * (opts.steps + 1)).filter((_, i) => i % 2 === 0);
      await runStep(way, items[0]!);
      const steps: { total: number; events: Event[] }[] = [];
      for (const item of items.slice(1)) {
        const events: Event[] = [];
        current = events;
        const start = performance.now();
        await runStep(way, item);
        const end = performance.now();
        current = undefined;
        steps.push({ total: end - start, events: events.map((e) => ({ ...e, start: e.start - start, end: e.end - start })) });
      }
      profiles.push(summarise(way, steps));
      opts.log?.(`profiled ${way}: median step ${profiles.at(-1)!.totalMs.toFixed(0)} ms`);
    }
    return profiles;
  } finally {
    current = undefined;
    await Promise.all([pools.fresh.close(), pools.kept.close(), bareBrowser.close()]);
    await app.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Lines matched across steps by their order of starting; the median of each. */
function summarise(way: ProfileWay, steps: { total: number; events: Event[] }[]): WayProfile {
  const ordered = steps.map((s) => [...s.events].sort((a, b) => a.start - b.start));
  // Steps open different claims: compared by their calls, whatever the claim.
  const shapeOf = (events: Event[]): string => events.map((e) => e.what.replace(/CLM-\d+/g, 'CLM-…')).join('|');
  const shape = shapeOf(ordered[0]!);
  // A step that took a different path (a retry, a re-sign-in) would misalign the lines: leave it out.
  const alike = ordered.filter((events) => shapeOf(events) === shape);
  const lines = ordered[0]!.map((e, i) => ({
    what: e.what.replace(/CLM-\d+/g, 'CLM-…'),
    atMs: median(alike.map((events) => events[i]!.start)),
    ms: median(alike.map((events) => events[i]!.end - events[i]!.start)),
    server: e.server,
  }));
  const outside = steps.map((s) => s.total - unionLength(s.events.filter((e) => !e.server)));
  return { way, steps: alike.length, totalMs: median(steps.map((s) => s.total)), outsidePlaywrightMs: median(outside), lines };
}

function unionLength(events: Event[]): number {
  const spans = events.map((e) => [e.start, e.end] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let until = -Infinity;
  for (const [start, end] of spans) {
    if (end <= until) continue;
    total += end - Math.max(start, until);
    until = end;
  }
  return total;
}

/** The profile as a Markdown block (also what the console shows). */
export function profileMarkdown(profiles: WayProfile[]): string {
  return profiles
    .map((p) =>
      [
        `**${PROFILE_WAY_LABELS[p.way]}**: median step ${p.totalMs.toFixed(0)} ms over ${p.steps} steps; ${p.outsidePlaywrightMs.toFixed(0)} ms of it outside any Playwright call.`,
        '',
        '| at ms | ms | call |',
        '| ---: | ---: | --- |',
        ...p.lines.map((l) => `| ${l.atMs.toFixed(0)} | ${l.ms.toFixed(1)} | ${l.server ? '↳ ' : ''}\`${l.what.trim()}\` |`),
      ].join('\n'),
    )
    .join('\n\n');
}
