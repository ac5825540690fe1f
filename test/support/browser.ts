// Debian's Chromium for tests that drive our own pages (never a downloaded browser), and pages that
// record their console errors, failed requests and CSP violations so a test can insist on a clean run.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const SCREENSHOT_DIR = join('.state', 'test', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught page errors and requests that failed outright, in order. */
  errors: string[];
  /** Every API call the page made, "POST /path → 200", for the log of a failed test. */
  calls: string[];
}

/** A fresh context (own sessionStorage, so its own operator) with one page at `baseURL`. */
export async function openPage(browser: Browser, baseURL: string): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1360, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  const errors: string[] = [];
  const calls: string[] = [];
  page.on('request', (req) => {
    if (req.resourceType() === 'fetch' || req.resourceType() === 'eventsource') calls.push(`${req.method()} ${new URL(req.url()).pathname} …`);
  });
  page.on('response', (res) => {
    const req = res.request();
    if (req.resourceType() === 'fetch' || req.resourceType() === 'eventsource') calls.push(`${req.method()} ${new URL(req.url()).pathname} → ${res.status()}`);
  });
  page.on('console', (msg) => {
    // Chromium logs every 4xx reply; those are the API's answers (a refused form), which the page shows.
    if (msg.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  page.on('requestfailed', (req) => {
    // An EventSource closed by navigation or context close is not a failure of the page.
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request: ${req.url()} ${req.failure()?.errorText}`);
  });
  return { context, page, errors, calls };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
