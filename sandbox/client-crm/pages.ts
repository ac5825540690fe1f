import { html, type SafeHtml } from '../shared/html';
import { sitePages } from '../shared/site-pages';
import { MAX_REFERENCE_LENGTH, type CustomerErrors, type CustomerField, type CustomerFormValues } from './customer-form';
import { SEED_TENANTS } from './seed';
import type { CustomerRecord, SeedLogin } from './types';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#222}header{background:#2a6f4e;color:#fff;padding:.6rem 1rem;display:flex;justify-content:space-between}
header a{color:#fff}main{padding:1rem 1.5rem;max-width:64rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}
.error{color:#b00020}.notice{background:#fff4ce;padding:.5rem}label{display:block;margin-top:.6rem}dl{display:grid;grid-template-columns:12rem 1fr}dt{font-weight:600}`;

const LABELS: Record<CustomerField, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  email: 'Email',
  phone: 'Phone',
  postcode: 'Postcode / ZIP',
  dateOfBirth: 'Date of birth (YYYY-MM-DD)',
  accountNumber: 'Account number (AC-123456)',
  externalReference: `External reference (max ${MAX_REFERENCE_LENGTH})`,
};
const FORM_FIELDS = Object.keys(LABELS) as CustomerField[];

export const EMPTY_FORM: CustomerFormValues = {
  firstName: '',
  lastName: '',
  email: '',
  phone: '',
  postcode: '',
  dateOfBirth: '',
  accountNumber: '',
  externalReference: '',
  confirmed: '',
};

export const { layout, loginPage, serverErrorPage, notFoundPage } = sitePages<SeedLogin>(
  { titleName: 'CustomerHub', headerName: 'CustomerHub CRM', style: STYLE },
  (login) => SEED_TENANTS[login.tenant].name,
);

export function customersListPage(opts: { login: SeedLogin; q: string; page: number; pages: number; total: number; rows: CustomerRecord[] }): string {
  const link = (page: number): string => `/customers?${new URLSearchParams({ q: opts.q, page: String(page) }).toString()}`;
  const body = html`<h1>Customers</h1>
<p><a href="/customers/new" data-testid="new-customer">New customer</a></p>
<form method="get" action="/customers"><input name="q" data-testid="search" value="${opts.q}" placeholder="External reference or name">
<button type="submit" data-testid="search-submit">Search</button></form>
<table data-testid="customers-table"><thead><tr><th>Record</th><th>Name</th><th>External reference</th><th>Account</th></tr></thead><tbody>
${opts.rows.map(
  (c) => html`<tr data-testid="customer-row" data-record-id="${c.recordId}">
<td data-testid="row-record-id"><a href="/customers/${encodeURIComponent(c.recordId)}">${c.recordId}</a></td>
<td data-testid="row-name">${c.lastName}, ${c.firstName}</td><td data-testid="row-reference">${c.externalReference}</td>
<td data-testid="row-account-number">${c.accountNumber}</td></tr>`,
)}
</tbody></table>
${opts.rows.length === 0 ? html`<p data-testid="no-results">No customers match.</p>` : ''}
<p data-testid="pagination">Page ${opts.page} of ${opts.pages} (${opts.total} customers)
${opts.page > 1 ? html` <a data-testid="prev-page" href="${link(opts.page - 1)}">Previous</a>` : ''}
${opts.page < opts.pages ? html` <a data-testid="next-page" href="${link(opts.page + 1)}">Next</a>` : ''}</p>`;
  return layout('Customers', body, opts.login);
}

function fieldInput(field: CustomerField, values: CustomerFormValues, errors: CustomerErrors): SafeHtml {
  const message = errors[field];
  return html`<label>${LABELS[field]} <input name="${field}" data-testid="field-${field}" value="${values[field]}"></label>
${message ? html`<span class="error" data-testid="error-${field}">${message}</span>` : ''}`;
}

export interface CustomerFormOptions {
  login: SeedLogin;
  values?: CustomerFormValues;
  errors?: CustomerErrors;
  /** The tenant already has this account number: the record that holds it. */
  duplicateOf?: CustomerRecord;
  /** The first click of a two-click save: nothing recorded yet, Save must be clicked again. */
  confirm?: boolean;
}

export function customerFormPage(opts: CustomerFormOptions): string {
  const values = opts.values ?? EMPTY_FORM;
  const errors = opts.errors ?? {};
  const refused = Object.keys(errors).length > 0;
  const body = html`<p><a href="/customers">← All customers</a></p>
<h1>New customer</h1>
${refused ? html`<p class="error" data-testid="form-errors">The customer was not saved: correct the fields below.</p>` : ''}
${
  opts.duplicateOf
    ? html`<p class="error" data-testid="duplicate-account" data-existing-record-id="${opts.duplicateOf.recordId}">Account ${opts.duplicateOf.accountNumber} already exists (record ${opts.duplicateOf.recordId}).</p>`
    : ''
}
${opts.confirm ? html`<p class="notice" data-testid="save-confirm">Please review the details and click Save again to confirm.</p>` : ''}
<form method="post" action="/customers" data-testid="customer-form">
  ${opts.confirm ? html`<input type="hidden" name="confirmed" value="yes">` : ''}
  ${FORM_FIELDS.map((f) => fieldInput(f, values, errors))}
  <p><button type="submit" data-testid="save-customer">${opts.confirm ? 'Confirm save' : 'Save'}</button></p>
</form>`;
  return layout('New customer', body, opts.login);
}

export function customerDetailPage(opts: { login: SeedLogin; customer: CustomerRecord; saved: boolean }): string {
  const c = opts.customer;
  const body = html`<p><a href="/customers">← All customers</a></p>
${opts.saved ? html`<p class="notice" data-testid="saved-banner">Customer saved as record <strong data-testid="saved-record-id">${c.recordId}</strong>.</p>` : ''}
<h1>Customer <span data-testid="record-id">${c.recordId}</span></h1>
<dl>
  <dt>External reference</dt><dd data-testid="value-externalReference">${c.externalReference}</dd>
  <dt>First name</dt><dd data-testid="value-firstName">${c.firstName}</dd>
  <dt>Last name</dt><dd data-testid="value-lastName">${c.lastName}</dd>
  <dt>Email</dt><dd data-testid="value-email">${c.email}</dd>
  <dt>Phone</dt><dd data-testid="value-phone">${c.phone}</dd>
  <dt>Postcode / ZIP</dt><dd data-testid="value-postcode">${c.postcode}</dd>
  <dt>Date of birth</dt><dd data-testid="value-dateOfBirth">${c.dateOfBirth}</dd>
  <dt>Account number</dt><dd data-testid="value-accountNumber">${c.accountNumber}</dd>
  <dt>Created (UTC)</dt><dd data-testid="value-createdAt">${c.createdAt}</dd>
</dl>`;
  return layout(`Customer ${c.recordId}`, body, opts.login);
}

export function customerNotFoundPage(login: SeedLogin, recordId: string): string {
  const body = html`<h1>Customer not found</h1><p data-testid="customer-not-found">No customer record <code>${recordId}</code> is visible to you.</p>
<p><a href="/customers">← All customers</a></p>`;
  return layout('Customer not found', body, login);
}
