import type { Locator, Page } from 'playwright-core';
import { BusinessException } from '../runtime/business-exception';
import { openPage, submitForm } from '../runtime/page-navigation';
import { untraced } from '../runtime/tracing';
import type { PayrollPortalCredentials } from './types';

/**
 * Getting around the payroll portal while signed in: navigation that signs in again when the
 * session has expired (the portal redirects to /login and back), and form posts that report the
 * status of the page they led to. Server errors are plain Errors, to be retried.
 */
export class PortalSession {
  readonly page: Page;
  readonly #baseUrl: string;
  /** Held in memory only, to sign in again when the session expires mid-run. */
  #credentials: PayrollPortalCredentials | undefined;

  constructor(page: Page, baseUrl: string) {
    this.page = page;
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async login(credentials: PayrollPortalCredentials): Promise<void> {
    await this.goto('/login');
    await this.#signIn(credentials);
    this.#credentials = { username: credentials.username, password: credentials.password };
  }

  /** Navigates to a portal path, signing in again once if the session has expired. */
  async open(path: string): Promise<number> {
    const status = await this.goto(path);
    if (!this.onLoginPage()) return status;
    return this.signInAgain();
  }

  /** On the login page the portal redirected to; signing in lands back on the page it names. */
  async signInAgain(): Promise<number> {
    if (!this.#credentials) throw new Error('not signed in to the payroll portal: call login() first');
    const status = await this.#signIn(this.#credentials);
    if (this.onLoginPage()) throw new Error('payroll portal asked to sign in again right after signing in');
    return status;
  }

  async goto(path: string): Promise<number> {
    return openPage(this.page, 'payroll portal', this.#baseUrl, path);
  }

  /** Clicks a submit button once; resolves with the status of the page the form led to (after redirects). */
  async submit(button: Locator): Promise<number> {
    return submitForm(this.page, 'payroll portal', button);
  }

  onLoginPage(): boolean {
    return new URL(this.page.url()).pathname === '/login';
  }

  async has(testId: string): Promise<boolean> {
    return (await this.page.getByTestId(testId).count()) > 0;
  }

  async #signIn(credentials: PayrollPortalCredentials): Promise<number> {
    // Tracing off while the password is typed: a trace would keep the form body.
    return untraced(this.page, async () => {
      const page = this.page;
      await page.getByTestId('username').fill(credentials.username);
      await page.getByTestId('password').fill(credentials.password);
      const status = await this.submit(page.getByTestId('login-submit'));
      if (status === 401 || (await this.has('login-error'))) {
        throw new BusinessException('LoginRefused', 'The payroll portal refused the login', {});
      }
      return status;
    });
  }
}

