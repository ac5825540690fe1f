import type { Locator, Page } from 'playwright-core';
import { BusinessException } from '../runtime/business-exception';
import { assertNotServerError, openPage, submitForm } from '../runtime/page-navigation';
import { untraced } from '../runtime/tracing';
import { formatCentsForInput, parseDisplayedCents, readFieldErrors, readRows, readTestIds } from './page-text';
import type { AdjudicationInput, AdjudicationRecord, ClaimRecord, ClaimsSystemCredentials, ReversalInput } from './types';

const CLAIM_FIELDS = ['claim-ref', 'member-id', 'member-name', 'diagnosis-code', 'claim-amount', 'claim-status', 'submitted-on'] as const;
const ADJUDICATION_CELLS = [
  'adjudication-reference',
  'adjudication-decision',
  'adjudication-amount',
  'adjudication-reason',
  'adjudication-confirmation',
  'adjudication-reversal',
  'adjudication-reversal-reference',
] as const;

/**
 * Page object for the client's claims system. Business refusals become BusinessException
 * (LoginRefused, ClaimNotFound, ValidationRefused); anything else is a plain Error to retry.
 * Idempotency is the caller's job: `adjudicate` submits unconditionally.
 */
export class ClaimsSystem {
  readonly #page: Page;
  readonly #baseUrl: string;
  /** Held in memory only, to sign in again when the session expires mid-run. */
  #credentials: ClaimsSystemCredentials | undefined;

  constructor(page: Page, baseUrl: string) {
    this.#page = page;
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Signs in now (on the login page): for callers that want a refused login to fail first. */
  async login(credentials: ClaimsSystemCredentials): Promise<void> {
    await this.#goto('/login');
    await this.#signIn(credentials);
    this.useLogin(credentials);
  }

  /** Signs in only when a page asks for it: a still signed-in page (a kept session) goes straight
   *  to work, and a fresh one is redirected to the login form, which lands back on the page wanted
   *  (one page load fewer than signing in first). */
  useLogin(credentials: ClaimsSystemCredentials): void {
    this.#credentials = { username: credentials.username, password: credentials.password };
  }

  async openClaim(claimRef: string): Promise<ClaimRecord> {
    this.#assertClaimPage(await this.#open(claimPath(claimRef)), claimRef);
    return this.#readClaim(claimRef);
  }

  /** The claim as open(): the adjudications it already has, when it has any (read from the same page). */
  async adjudicationsOnPage(): Promise<AdjudicationRecord[]> {
    return this.#readAdjudications();
  }

  async findAdjudication(claimRef: string, reference: string): Promise<AdjudicationRecord | null> {
    return (await this.adjudicationsOf(claimRef)).find((r) => r.reference === reference.trim()) ?? null;
  }

  /** Every adjudication the claim's page lists, in its order (oldest first). */
  async adjudicationsOf(claimRef: string): Promise<AdjudicationRecord[]> {
    this.#assertClaimPage(await this.#open(claimPath(claimRef)), claimRef);
    return this.#readAdjudications();
  }

  async #readAdjudications(): Promise<AdjudicationRecord[]> {
    const rows = await readRows(this.#page, 'adjudication', ADJUDICATION_CELLS);
    return rows.map((row) => {
      const decision = row['adjudication-decision'];
      if (decision !== 'approve' && decision !== 'reject') throw screenChanged('adjudication-decision', decision);
      const reversal = row['adjudication-reversal'];
      return {
        ...(reversal ? { reversal: { confirmation: reversal, reference: row['adjudication-reversal-reference'] ?? '' } } : {}),
        reference: required(row, 'adjudication-reference'),
        decision,
        amountCents: parseDisplayedCents(required(row, 'adjudication-amount')),
        reason: row['adjudication-reason'] ?? '',
        confirmation: required(row, 'adjudication-confirmation'),
      };
    });
  }

  /** `beforeSubmit` runs right before the click that writes (the run's cancel fence, see BotContext.beforeWrite). */
  async adjudicate(claimRef: string, input: AdjudicationInput, beforeSubmit: () => Promise<void> = async () => {}): Promise<AdjudicationRecord> {
    this.#assertClaimPage(await this.#open(claimPath(claimRef)), claimRef);
    let status = await this.#fillAdjudication(input, beforeSubmit);
    if (this.#onLoginPage()) {
      // The session died between loading the form and posting it: the app refused the POST
      // before recording anything, so posting again after signing in cannot duplicate.
      this.#assertClaimPage(await this.#signInAgain(), claimRef);
      status = await this.#fillAdjudication(input, beforeSubmit);
      if (this.#onLoginPage()) throw new Error('claims system keeps asking to sign in again');
    }
    if (status === 422) {
      const errors = await readFieldErrors(this.#page);
      const summary = Object.entries(errors).map(([field, message]) => `${field}: ${message}`).join('; ');
      throw new BusinessException('ValidationRefused', `Claims system refused the adjudication of ${claimRef}: ${summary}`, {
        claimRef,
        errors,
      });
    }
    this.#assertClaimPage(status, claimRef);
    const { confirmation } = await readTestIds(this.#page, ['confirmation']);
    if (!confirmation) throw screenChanged('confirmation', confirmation);
    return { reference: input.reference.trim(), decision: input.decision, amountCents: input.amountCents, reason: input.reason.trim(), confirmation };
  }

  async #fillAdjudication(input: AdjudicationInput, beforeSubmit: () => Promise<void>): Promise<number> {
    const page = this.#page;
    await page.getByTestId('decision').selectOption(input.decision);
    await page.getByTestId('amount').fill(formatCentsForInput(input.amountCents));
    await page.getByTestId('reason').fill(input.reason);
    await page.getByTestId('reference').fill(input.reference);
    await beforeSubmit();
    return this.#submit(page.getByTestId('submit-adjudication'));
  }

  /** Reverses one adjudication (by its confirmation) through the row's reverse form; returns the reversal's confirmation. */
  async reverse(claimRef: string, confirmation: string, input: ReversalInput): Promise<string> {
    this.#assertClaimPage(await this.#open(claimPath(claimRef)), claimRef);
    const row = this.#page.locator(`[data-testid="adjudication"][data-confirmation="${confirmation}"]`);
    if ((await row.count()) === 0) throw new BusinessException('AdjudicationNotFound', `${claimRef} shows no adjudication ${confirmation} to reverse`, { claimRef, confirmation });
    const [shown] = await readRows(this.#page, 'adjudication', ADJUDICATION_CELLS).then((rows) => rows.filter((r) => r['adjudication-confirmation'] === confirmation));
    if (shown?.['adjudication-reversal']) {
      throw new BusinessException('AlreadyReversed', `${confirmation} of ${claimRef} was already reversed as ${shown['adjudication-reversal']}`, { claimRef, confirmation, reversal: shown['adjudication-reversal'] });
    }
    await row.getByTestId('reverse-reason').fill(input.reason);
    await row.getByTestId('reverse-reference').fill(input.reference);
    const status = await this.#submit(row.getByTestId('reverse-submit'));
    if (status === 422) {
      const errors = await readFieldErrors(this.#page);
      throw new BusinessException('ReversalRefused', `Claims system refused to reverse ${confirmation}: ${Object.values(errors).join('; ')}`, { claimRef, confirmation, errors });
    }
    this.#assertClaimPage(status, claimRef);
    const { confirmation: reversal } = await readTestIds(this.#page, ['confirmation']);
    if (!reversal) throw screenChanged('confirmation', reversal);
    return reversal;
  }

  /** Navigates to an app path, signing in again once if the session has expired. */
  async #open(path: string): Promise<number> {
    const status = await this.#goto(path);
    if (!this.#onLoginPage()) return status;
    return this.#signInAgain();
  }

  /** On the login page the app redirected to; submitting it lands back on the page we wanted. */
  async #signInAgain(): Promise<number> {
    if (!this.#credentials) throw new Error('not signed in to the claims system: call login() or useLogin() first');
    const status = await this.#signIn(this.#credentials);
    if (this.#onLoginPage()) throw new Error('claims system asked to sign in again right after signing in');
    return status;
  }

  async #signIn(credentials: ClaimsSystemCredentials): Promise<number> {
    return untraced(this.#page, async () => {
      const page = this.#page;
      await page.getByTestId('username').fill(credentials.username);
      await page.getByTestId('password').fill(credentials.password);
      const status = await this.#submit(page.getByTestId('login-submit'));
      // Refused: a 401, or the form shown again with its error. A page past the login form is an
      // accepted login, so the error marker is looked for (a round trip) only on the form.
      if (status === 401 || (this.#onLoginPage() && (await page.getByTestId('login-error').count()) > 0)) {
        throw new BusinessException('LoginRefused', 'The claims system refused the login', {});
      }
      assertNotServerError('claims system', status, 'login');
      return status;
    });
  }

  async #goto(path: string): Promise<number> {
    return openPage(this.#page, 'claims system', this.#baseUrl, path);
  }

  /** Clicks a submit button; resolves with the status of the page the form led to (after redirects). */
  async #submit(button: Locator): Promise<number> {
    return submitForm(this.#page, 'claims system', button);
  }

  #onLoginPage(): boolean {
    return new URL(this.#page.url()).pathname === '/login';
  }

  #assertClaimPage(status: number, claimRef: string): void {
    if (status === 404) {
      throw new BusinessException('ClaimNotFound', `Claim ${claimRef} does not exist in the claims system`, { claimRef });
    }
    if (status !== 200) throw new Error(`claims system answered ${status} for claim ${claimRef}`);
  }

  async #readClaim(claimRef: string): Promise<ClaimRecord> {
    const fields = await readTestIds(this.#page, CLAIM_FIELDS);
    if (fields['claim-ref'] !== claimRef) throw screenChanged('claim-ref', fields['claim-ref']);
    const status = fields['claim-status'];
    if (status !== 'open' && status !== 'adjudicated') throw screenChanged('claim-status', status);
    return {
      claimRef,
      memberId: required(fields, 'member-id'),
      memberName: required(fields, 'member-name'),
      diagnosisCode: required(fields, 'diagnosis-code'),
      amountCents: parseDisplayedCents(required(fields, 'claim-amount')),
      status,
      submittedOn: required(fields, 'submitted-on'),
    };
  }
}

function claimPath(claimRef: string): string {
  return `/claims/${encodeURIComponent(claimRef)}`;
}

function required<K extends string>(fields: Record<K, string | null>, key: K): string {
  const value = fields[key];
  if (value === null || value === '') throw screenChanged(key, value);
  return value;
}

function screenChanged(field: string, value: string | null): Error {
  return new Error(`claims system screen changed: unexpected ${field} ${JSON.stringify(value)}`);
}
