// How every page object moves through a server-rendered client app: open a page, submit a form,
// and treat a 5xx (or no answer at all) as a system fault to retry, never as an answer.
import type { Locator, Page } from 'playwright-core';

/** Throws a plain (retryable) Error when the client app failed or did not answer. */
export function assertNotServerError(app: string, status: number, what: string): void {
  if (status === 0 || status >= 500) throw new Error(`${app} failed (HTTP ${status}) on ${what}`);
}

/** Opens `path` of the app; resolves with the page's status. */
export async function openPage(page: Page, app: string, baseUrl: string, path: string): Promise<number> {
  const response = await page.goto(`${baseUrl}${path}`, { waitUntil: 'domcontentloaded' });
  const status = response?.status() ?? 0;
  assertNotServerError(app, status, path);
  return status;
}

/** Clicks a submit button once; resolves with the status of the page the form led to (after redirects). */
export async function submitForm(page: Page, app: string, button: Locator): Promise<number> {
  const landed = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400),
  );
  const loaded = page.waitForEvent('domcontentloaded');
  const [response] = await Promise.all([landed, loaded, button.click()]);
  assertNotServerError(app, response.status(), new URL(response.url()).pathname);
  return response.status();
}
