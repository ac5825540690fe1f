import { html, type SafeHtml } from '../shared/html';
import { formatCents } from './money';
import { layout } from './pages';
import type { PayrollTotals } from './payroll-book';
import { submitPath, timesheetPath } from './paths';
import type { LedgerEntry, SeedLogin } from './types';

export interface SubmitFormValues {
  reference: string;
  expectedTotal: string;
}

export type SubmitErrors = Partial<Record<keyof SubmitFormValues, string>>;

function submissionRow(s: LedgerEntry): SafeHtml {
  return html`<tr data-testid="submission" data-reference="${s.reference}"><td data-testid="submission-reference">${s.reference}</td>
<td data-testid="submission-total">${formatCents(s.amountCents)}</td><td data-testid="submission-confirmation">${s.confirmation}</td>
<td>${s.at.slice(0, 16).replace('T', ' ')}</td></tr>`;
}

function submitForm(period: string, values: SubmitFormValues, errors: SubmitErrors): SafeHtml {
  const fieldError = (field: keyof SubmitErrors): SafeHtml | '' =>
    errors[field] ? html`<span class="error" data-testid="error-${field}">${errors[field]}</span>` : '';
  return html`<h2>Submit payroll</h2>
${Object.keys(errors).length > 0 ? html`<p class="error" data-testid="form-errors">The payroll was not submitted: correct the fields below.</p>` : ''}
<form method="post" action="${submitPath(period)}" data-testid="submit-form">
  <label>Your reference <input name="reference" data-testid="reference" value="${values.reference}"></label>
  ${fieldError('reference')}
  <label>Adjustments total you expect <input name="expectedTotal" data-testid="expected-total" inputmode="decimal" value="${values.expectedTotal}"></label>
  ${fieldError('expectedTotal')}
  <p><button type="submit" data-testid="submit-payroll">Submit payroll</button></p>
</form>`;
}

export function payrollPage(opts: {
  login: SeedLogin;
  period: string;
  totals: PayrollTotals;
  submissions: LedgerEntry[];
  values?: SubmitFormValues;
  errors?: SubmitErrors;
}): string {
  const { period, totals } = opts;
  const body = html`<h1>Payroll <span data-testid="period">${period}</span></h1>
<p><a data-testid="timesheet-link" href="${timesheetPath(period)}">Timesheet export</a></p>
<dl data-testid="totals">
  <dt>Employees</dt><dd data-testid="totals-employees">${totals.employees}</dd>
  <dt>Adjustments</dt><dd data-testid="totals-adjustments">${totals.adjustments}</dd>
  <dt>Adjustments total</dt><dd data-testid="totals-adjustments-total">${formatCents(totals.adjustmentsTotalCents)}</dd>
  <dt>Gross total</dt><dd data-testid="totals-gross-total">${formatCents(totals.grossTotalCents)}</dd>
  <dt>Status</dt><dd data-testid="payroll-status">${totals.status}</dd>
</dl>
${
  opts.submissions.length === 0
    ? html`<p data-testid="no-submissions">Not submitted yet.</p>`
    : html`<table data-testid="submissions"><thead><tr><th>Your reference</th><th>Adjustments total</th><th>Confirmation</th><th>At (UTC)</th></tr></thead>
<tbody>${opts.submissions.map(submissionRow)}</tbody></table>`
}
${totals.status === 'open' ? submitForm(period, opts.values ?? { reference: '', expectedTotal: '' }, opts.errors ?? {}) : ''}`;
  return layout(`Payroll ${period}`, body, opts.login);
}

export function payrollSubmittedPage(login: SeedLogin, entry: LedgerEntry): string {
  const body = html`<h1>Payroll submitted</h1>
<p>Confirmation number <strong data-testid="confirmation">${entry.confirmation}</strong></p>
<dl>
  <dt>Period</dt><dd data-testid="confirmed-period">${entry.period}</dd>
  <dt>Adjustments total</dt><dd data-testid="confirmed-amount">${formatCents(entry.amountCents)}</dd>
  <dt>Your reference</dt><dd data-testid="confirmed-reference">${entry.reference}</dd>
</dl>`;
  return layout('Payroll submitted', body, login);
}
