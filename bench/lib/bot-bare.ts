// The bot bench's limit: the same pages (sign in, open the claim, read it, screenshot) driven by
// plain Playwright calls in a plain loop, C fresh contexts at a time on one Chromium: no page
// object, no Temporal, no activity wrapper, no tracing, no heartbeats.
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Credential, CredentialStore } from '../../activities/credentials';
import type { ClientApps } from '../../activities/bots/client-apps';
import { parseDisplayedCents } from '../../bots/claims-system/page-text';
import type { ClaimBotInput } from '../../workflows/claim-review/bots';
import { CLAIMS_APP } from './bot-sandbox';

// BrowserPool's launch flags (bots/runtime/browser-pool.ts keeps them private).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface BareStepDeps {
  apps: ClientApps;
  credentials: CredentialStore;
  /** Where the screenshots go (one file per claim, overwritten). */
  screenshotDir: string;
}

export interface BareItemResult {
  ok: boolean;
  claimRef: string;
  amountCents?: number;
  error?: string;
  ms: number;
}

/**
 * The true floor of ClaimReview's `extractClaim` step: the same pages driven by the plainest
 * Playwright calls, no waits beyond `domcontentloaded`, no page object: the login form (asked to
 * land on the claim, as the app's own redirect does), the claim page read in one evaluate, a
 * full-page screenshot.
 */
export async function extractClaimStep(
  page: Page,
  deps: BareStepDeps,
  input: ClaimBotInput,
  credential: (name: string) => Promise<Credential> = (name) => deps.credentials.resolve(name),
): Promise<{ claimRef: string; amountCents: number; screenshot: string }> {
  const { username, password } = await credential(input.credential);
  const claimPath = `/claims/${encodeURIComponent(input.claimRef)}`;
  await page.goto(`${deps.apps.urlOf(input.client, CLAIMS_APP)}/login?next=${encodeURIComponent(claimPath)}`, { waitUntil: 'domcontentloaded' });
  await page.fill('[data-testid="username"]', username);
  await page.fill('[data-testid="password"]', password);
  await Promise.all([page.waitForURL((url) => url.pathname === claimPath, { waitUntil: 'domcontentloaded' }), page.click('[data-testid="login-submit"]')]);
  const read = await page.evaluate(() => ({
    claimRef: document.querySelector('[data-testid="claim-ref"]')?.textContent?.trim() ?? '',
    amount: document.querySelector('[data-testid="claim-amount"]')?.textContent?.trim() ?? '',
  }));
  const screenshot = join(deps.screenshotDir, `claim-${input.claimRef}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  return { claimRef: read.claimRef, amountCents: parseDisplayedCents(read.amount), screenshot };
}

export class BareRunner {
  readonly #executablePath: string;
  #browser: Promise<Browser> | undefined;

  constructor(private readonly deps: BareStepDeps, executablePath?: string) {
    this.#executablePath = executablePath ?? (process.env.CHROMIUM_PATH || '/usr/bin/chromium');
  }

  /** Runs the items `concurrency` at a time, each in a fresh context of the one browser. */
  async run(items: ClaimBotInput[], concurrency: number): Promise<BareItemResult[]> {
    const browser = await (this.#browser ??= chromium.launch({ executablePath: this.#executablePath, headless: true, args: CHROMIUM_ARGS }));
    const results: BareItemResult[] = new Array<BareItemResult>(items.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < items.length) {
        const index = next++;
        const item = items[index]!;
        const started = performance.now();
        // As the bot activity does: remember the passwords handed out, to scrub them from errors.
        const secrets = new Set<string>();
        const credential = async (name: string): Promise<Credential> => {
          const login = await this.deps.credentials.resolve(name);
          secrets.add(login.password);
          return login;
        };
        const context = await browser.newContext();
        try {
          const read = await extractClaimStep(await context.newPage(), this.deps, item, credential);
          await context.close();
          results[index] = { ok: true, claimRef: read.claimRef, amountCents: read.amountCents, ms: performance.now() - started };
        } catch (err) {
          await context.close().catch(() => undefined);
          results[index] = { ok: false, claimRef: item.claimRef, error: scrub(String((err as Error).message), secrets), ms: performance.now() - started };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
    return results;
  }

  async close(): Promise<void> {
    const browser = await this.#browser?.catch(() => undefined);
    this.#browser = undefined;
    await browser?.close().catch(() => undefined);
  }
}

function scrub(text: string, secrets: Set<string>): string {
  return [...secrets].reduce((t, s) => t.split(s).join('[redacted]'), text);
}
