import type { Locator, Page } from 'playwright-core';
import { readFieldErrors, readRows, readTestIds } from '../claims-system/page-text';
import { BusinessException } from '../runtime/business-exception';
import { openPage, submitForm } from '../runtime/page-navigation';
import { untraced } from '../runtime/tracing';
import { CUSTOMER_DETAIL_FIELDS, type ClientCrmCredentials, type CustomerDetails, type SavedCustomer } from './types';

/** A search that pages further than this is not converging (or the screen changed). */
const MAX_SEARCH_PAGES = 400;
/** Sign-ins, confirmations and re-fills one save may take before we call it broken. */
const MAX_SAVE_STEPS = 6;

const RECORD_FIELDS = ['record-id', 'value-externalReference', 'value-createdAt', ...CUSTOMER_DETAIL_FIELDS.map((f) => `value-${f}` as const)] as const;

type Landing = 'login' | 'new-form' | 'save-result' | 'record' | 'elsewhere';

/**
 * Page object for the client's CRM. Business refusals become BusinessException (LoginRefused,
 * ValidationRefused, DuplicateAccount, RecordNotFound); anything else is a plain Error to retry.
 * Idempotency is the caller's job: `createRecord` saves unconditionally (but never twice itself).
 */
export class ClientCrm {
  readonly #page: Page;
  readonly #baseUrl: string;
  /** Held in memory only, to sign in again when the session expires mid-run. */
  #credentials: ClientCrmCredentials | undefined;

  constructor(page: Page, baseUrl: string) {
    this.#page = page;
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async login(credentials: ClientCrmCredentials): Promise<void> {
    await this.#goto('/login');
    await this.#signIn(credentials);
    this.#credentials = { username: credentials.username, password: credentials.password };
  }

  /** The record carrying this external reference (the oldest, if written twice), following the search's pages. */
  async findByReference(reference: string): Promise<SavedCustomer | null> {
    const wanted = reference.trim();
    let path: string | null = `/customers?${new URLSearchParams({ q: wanted }).toString()}`;
    for (let pages = 0; path !== null; pages += 1) {
      if (pages >= MAX_SEARCH_PAGES) throw new Error(`client CRM search for ${wanted} ran past ${MAX_SEARCH_PAGES} pages`);
      const status = await this.#open(path);
      if (status !== 200) throw new Error(`client CRM answered ${status} to a customer search`);
      const rows = await readRows(this.#page, 'customer-row', ['row-record-id', 'row-reference'] as const);
      const hit = rows.find((r) => r['row-reference'] === wanted);
      if (hit) return this.readRecord(required(hit, 'row-record-id'));
      path = await this.#nextPageLink();
    }
    return null;
  }

  async readRecord(recordId: string): Promise<SavedCustomer> {
    const status = await this.#open(`/customers/${encodeURIComponent(recordId)}`);
    if (status === 404) throw new BusinessException('RecordNotFound', `Customer record ${recordId} does not exist in the client CRM`, { recordId });
    if (status !== 200) throw new Error(`client CRM answered ${status} for customer record ${recordId}`);
    const record = await this.#readRecordPage();
    if (record.recordId !== recordId) throw screenChanged('record-id', record.recordId);
    return record;
  }

  /**
   * Fills the new-customer form and saves it. A save that only asks for confirmation is confirmed
   * (one more click, on that page only); a save refused for an expired session recorded nothing,
   * so it is re-filled and saved once more after signing in.
   */
  async createRecord(customer: CustomerDetails, reference: string): Promise<SavedCustomer> {
    const status = await this.#open('/customers/new');
    if (this.#landing() !== 'new-form' || status !== 200) throw new Error(`client CRM answered ${status} for the new-customer form`);
    let landed = await this.#fillAndSave(customer, reference);
    for (let step = 0; step < MAX_SAVE_STEPS; step += 1) {
      const where = this.#landing();
      if (where === 'record' && landed === 200) return this.#readSaved(reference);
      if (where === 'login') {
        landed = await this.#signInAgain();
        // Landing on a fresh form means the save was refused before recording anything.
        if (this.#landing() === 'new-form') landed = await this.#fillAndSave(customer, reference);
      } else if (where === 'save-result' && landed === 422) {
        throw await this.#refusal(customer, reference);
      } else if (where === 'save-result' && landed === 200 && (await this.#asksToConfirm())) {
        landed = await this.#submit(this.#page.getByTestId('save-customer'));
      } else {
        throw new Error(`client CRM answered ${landed} on ${this.#path()} after saving a customer`);
      }
    }
    throw new Error(`client CRM did not get past saving a customer in ${MAX_SAVE_STEPS} steps (still on ${this.#path()})`);
  }

  async #fillAndSave(customer: CustomerDetails, reference: string): Promise<number> {
    const page = this.#page;
    for (const field of CUSTOMER_DETAIL_FIELDS) await page.getByTestId(`field-${field}`).fill(customer[field]);
    await page.getByTestId('field-externalReference').fill(reference);
    return this.#submit(page.getByTestId('save-customer'));
  }

  async #asksToConfirm(): Promise<boolean> {
    return (await this.#page.getByTestId('save-confirm').count()) > 0;
  }

  async #refusal(customer: CustomerDetails, reference: string): Promise<BusinessException> {
    const errors = await readFieldErrors(this.#page);
    const existingRecordId = await this.#page.evaluate(
      () => document.querySelector('[data-testid="duplicate-account"]')?.getAttribute('data-existing-record-id') ?? null,
    );
    if (existingRecordId !== null) {
      return new BusinessException('DuplicateAccount', `Account ${customer.accountNumber} already exists in the client CRM as record ${existingRecordId}`, {
        reference,
        accountNumber: customer.accountNumber,
        existingRecordId,
        errors,
      });
    }
    const summary = Object.entries(errors).map(([field, message]) => `${field}: ${message}`).join('; ');
    return new BusinessException('ValidationRefused', `Client CRM refused customer record ${reference}: ${summary}`, { reference, errors });
  }

  async #readSaved(reference: string): Promise<SavedCustomer> {
    const record = await this.#readRecordPage();
    if (record.reference !== reference.trim()) throw screenChanged('value-externalReference', record.reference);
    return record;
  }

  async #readRecordPage(): Promise<SavedCustomer> {
    const v = await readTestIds(this.#page, RECORD_FIELDS);
    const details = Object.fromEntries(CUSTOMER_DETAIL_FIELDS.map((f) => [f, v[`value-${f}`] ?? ''])) as unknown as CustomerDetails;
    return {
      recordId: required(v, 'record-id'),
      reference: required(v, 'value-externalReference'),
      createdAt: required(v, 'value-createdAt'),
      ...details,
    };
  }

  async #nextPageLink(): Promise<string | null> {
    const href = await this.#page.evaluate(() => document.querySelector('[data-testid="next-page"]')?.getAttribute('href') ?? null);
    if (href === null) return null;
    const url = new URL(href, this.#page.url());
    return `${url.pathname}${url.search}`;
  }

  /** Navigates to an app path, signing in again once if the session has expired. */
  async #open(path: string): Promise<number> {
    const status = await this.#goto(path);
    if (this.#landing() !== 'login') return status;
    return this.#signInAgain();
  }

  /** On the login page the app redirected to; submitting it lands back on the page we wanted. */
  async #signInAgain(): Promise<number> {
    if (!this.#credentials) throw new Error('not signed in to the client CRM: call login() first');
    const status = await this.#signIn(this.#credentials);
    if (this.#landing() === 'login') throw new Error('client CRM asked to sign in again right after signing in');
    return status;
  }

  async #signIn(credentials: ClientCrmCredentials): Promise<number> {
    return untraced(this.#page, async () => {
      const page = this.#page;
      await page.getByTestId('username').fill(credentials.username);
      await page.getByTestId('password').fill(credentials.password);
      const status = await this.#submit(page.getByTestId('login-submit'));
      if (status === 401 || (await page.getByTestId('login-error').count()) > 0) {
        throw new BusinessException('LoginRefused', 'The client CRM refused the login', {});
      }
      return status;
    });
  }

  async #goto(path: string): Promise<number> {
    return openPage(this.#page, 'client CRM', this.#baseUrl, path);
  }

  /** Clicks a submit button; resolves with the status of the page the form led to (after redirects). */
  async #submit(button: Locator): Promise<number> {
    return submitForm(this.#page, 'client CRM', button);
  }

  #path(): string {
    return new URL(this.#page.url()).pathname;
  }

  #landing(): Landing {
    const path = this.#path();
    if (path === '/login') return 'login';
    if (path === '/customers/new') return 'new-form';
    if (path === '/customers') return 'save-result';
    if (/^\/customers\/[^/]+$/.test(path)) return 'record';
    return 'elsewhere';
  }
}

function required<K extends string>(fields: Record<K, string | null>, key: K): string {
  const value = fields[key];
  if (value === null || value === '') throw screenChanged(key, value);
  return value;
}

function screenChanged(field: string, value: string | null): Error {
  return new Error(`client CRM screen changed: unexpected ${field} ${JSON.stringify(value)}`);
}
