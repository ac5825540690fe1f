import { html, type SafeHtml } from '../shared/html';
import { MAX_REFERENCE_LENGTH, type AdjustmentErrors, type AdjustmentFormValues } from './adjustment-form';
import { formatCents } from './money';
import { layout } from './pages';
import { adjustmentsPath, newAdjustmentPath, payrollPath } from './paths';
import type { LedgerEntry, SeedEmployee, SeedLogin } from './types';

function employeeFacts(employee: SeedEmployee): SafeHtml {
  return html`<dl>
  <dt>Employee</dt><dd data-testid="employee-id">${employee.employeeId}</dd>
  <dt>Name</dt><dd data-testid="employee-name">${employee.name}</dd>
  <dt>Status</dt><dd data-testid="employee-status">${employee.status}</dd>
  <dt>Hourly rate</dt><dd data-testid="employee-rate">${formatCents(employee.hourlyRateCents)}</dd>
</dl>`;
}

function adjustmentRow(a: LedgerEntry): SafeHtml {
  return html`<tr data-testid="adjustment" data-reference="${a.reference}">
<td data-testid="adjustment-reference">${a.reference}</td><td data-testid="adjustment-kind">${a.kind}</td>
<td data-testid="adjustment-hours">${a.hours}</td><td data-testid="adjustment-amount">${formatCents(a.amountCents)}</td>
<td data-testid="adjustment-note">${a.note}</td><td data-testid="adjustment-confirmation">${a.confirmation}</td><td>${a.at.slice(0, 16).replace('T', ' ')}</td></tr>`;
}

export function adjustmentsListPage(opts: { login: SeedLogin; period: string; employee: SeedEmployee; adjustments: LedgerEntry[] }): string {
  const { period, employee, adjustments } = opts;
  const body = html`<p><a href="${payrollPath(period)}">← Payroll ${period}</a></p>
<h1>Pay adjustments · <span data-testid="period">${period}</span></h1>
${employeeFacts(employee)}
${
  adjustments.length === 0
    ? html`<p data-testid="no-adjustments">No adjustments this period.</p>`
    : html`<table data-testid="adjustments"><thead><tr><th>Your reference</th><th>Kind</th><th>Hours</th><th>Amount</th><th>Note</th><th>Confirmation</th><th>At (UTC)</th></tr></thead>
<tbody>${adjustments.map(adjustmentRow)}</tbody></table>`
}
<p><a data-testid="new-adjustment" href="${newAdjustmentPath(period, employee.employeeId)}">New adjustment</a></p>`;
  return layout(`Adjustments ${employee.employeeId}`, body, opts.login);
}

function fieldError(errors: AdjustmentErrors, field: keyof AdjustmentErrors): SafeHtml | '' {
  const message = errors[field];
  return message ? html`<span class="error" data-testid="error-${field}">${message}</span>` : '';
}

export function adjustmentFormPage(opts: {
  login: SeedLogin;
  period: string;
  employee: SeedEmployee;
  values: AdjustmentFormValues;
  errors?: AdjustmentErrors;
  /** Set when the first click on Save only asked for confirmation. */
  confirmToken?: string;
}): string {
  const { period, employee, values } = opts;
  const errors = opts.errors ?? {};
  const selected = (kind: string): SafeHtml => html`${values.kind === kind ? html` selected` : ''}`;
  const pending = opts.confirmToken !== undefined;
  const body = html`<p><a href="${adjustmentsPath(period, employee.employeeId)}">← Adjustments</a></p>
<h1>New pay adjustment · ${period}</h1>
${employeeFacts(employee)}
${Object.keys(errors).length > 0 ? html`<p class="error" data-testid="form-errors">The adjustment was not saved: correct the fields below.</p>` : ''}
${pending ? html`<p class="pending" data-testid="save-pending">Please confirm: the adjustment is not saved yet.</p>` : ''}
<form method="post" action="${adjustmentsPath(period, employee.employeeId)}" data-testid="adjustment-form">
  ${pending ? html`<input type="hidden" name="confirmToken" value="${opts.confirmToken}">` : ''}
  <label>Kind <select name="kind" data-testid="kind"><option value="">Choose…</option>
    <option value="overtime"${selected('overtime')}>Overtime</option><option value="bonus"${selected('bonus')}>Bonus</option>
    <option value="correction"${selected('correction')}>Correction</option></select></label>
  ${fieldError(errors, 'kind')}
  <label>Hours <input name="hours" data-testid="hours" inputmode="decimal" value="${values.hours}"></label>
  ${fieldError(errors, 'hours')}
  <label>Amount <input name="amount" data-testid="amount" inputmode="decimal" value="${values.amount}"></label>
  ${fieldError(errors, 'amount')}
  <label>Note <textarea name="note" data-testid="note" rows="2">${values.note}</textarea></label>
  ${fieldError(errors, 'note')}
  <label>Your reference (max ${MAX_REFERENCE_LENGTH}) <input name="reference" data-testid="reference" value="${values.reference}"></label>
  ${fieldError(errors, 'reference')}
  <p><button type="submit" data-testid="save-adjustment">${pending ? 'Confirm save' : 'Save'}</button></p>
</form>`;
  return layout('New adjustment', body, opts.login);
}

export function adjustmentSavedPage(login: SeedLogin, entry: LedgerEntry): string {
  const body = html`<h1>Adjustment saved</h1>
<p>Confirmation number <strong data-testid="confirmation">${entry.confirmation}</strong></p>
<dl>
  <dt>Employee</dt><dd data-testid="confirmed-employee-id">${entry.employeeId}</dd>
  <dt>Kind</dt><dd data-testid="confirmed-kind">${entry.kind}</dd>
  <dt>Amount</dt><dd data-testid="confirmed-amount">${formatCents(entry.amountCents)}</dd>
  <dt>Your reference</dt><dd data-testid="confirmed-reference">${entry.reference}</dd>
</dl>
<p><a href="${adjustmentsPath(entry.period, entry.employeeId ?? '')}">Back to the adjustments</a></p>`;
  return layout('Adjustment saved', body, login);
}
