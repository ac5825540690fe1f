import { html, type SafeHtml } from '../shared/html';
import { sitePages } from '../shared/site-pages';
import type { AdjudicationErrors, AdjudicationFormValues } from './adjudication-form';
import { MAX_REFERENCE_LENGTH } from './adjudication-form';
import { formatCents } from './html';
import { SEED_TENANTS } from './seed';
import type { ClaimView, LedgerEntry, SeedLogin, ShownAdjudication } from './types';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#222}header{background:#1d3557;color:#fff;padding:.6rem 1rem;display:flex;justify-content:space-between}
header a{color:#fff}main{padding:1rem 1.5rem;max-width:60rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}
.error{color:#b00020}label{display:block;margin-top:.6rem}dl{display:grid;grid-template-columns:12rem 1fr}dt{font-weight:600}`;

export const { layout, loginPage, serverErrorPage, notFoundPage } = sitePages<SeedLogin>(
  { titleName: 'ClaimsDesk', headerName: 'ClaimsDesk', style: STYLE },
  (login) => SEED_TENANTS[login.tenant].name,
);

export function claimsListPage(opts: { login: SeedLogin; q: string; page: number; pages: number; rows: ClaimView[] }): string {
  const link = (page: number): string => `/claims?${new URLSearchParams({ q: opts.q, page: String(page) }).toString()}`;
  const body = html`<h1>Claims</h1>
<form method="get" action="/claims"><input name="q" data-testid="search" value="${opts.q}" placeholder="Reference, member, diagnosis">
<button type="submit" data-testid="search-submit">Search</button></form>
<table data-testid="claims-table"><thead><tr><th>Reference</th><th>Member</th><th>Diagnosis</th><th>Amount</th><th>Status</th></tr></thead><tbody>
${opts.rows.map(
  (c) => html`<tr data-testid="claim-row" data-claim-ref="${c.claimRef}"><td><a href="/claims/${encodeURIComponent(c.claimRef)}">${c.claimRef}</a></td>
<td>${c.memberName} (${c.memberId})</td><td>${c.diagnosisCode}</td><td>${formatCents(c.amountCents)}</td><td>${c.status}</td></tr>`,
)}
</tbody></table>
${opts.rows.length === 0 ? html`<p data-testid="no-results">No claims match.</p>` : ''}
<p data-testid="pagination">Page ${opts.page} of ${opts.pages}
${opts.page > 1 ? html` <a data-testid="prev-page" href="${link(opts.page - 1)}">Previous</a>` : ''}
${opts.page < opts.pages ? html` <a data-testid="next-page" href="${link(opts.page + 1)}">Next</a>` : ''}</p>`;
  return layout('Claims', body, opts.login);
}

/** A standing adjudication offers its reversal (reason and "your reference"); a reversed one names its reversal. */
function reversalCell(claimRef: string, a: ShownAdjudication): SafeHtml {
  if (a.reversal) {
    return html`<td>Reversed as <span data-testid="adjudication-reversal">${a.reversal.confirmation}</span>
(<span data-testid="adjudication-reversal-reference">${a.reversal.reference}</span>)</td>`;
  }
  return html`<td><form method="post" action="/claims/${encodeURIComponent(claimRef)}/adjudications/${encodeURIComponent(a.confirmation)}/reverse" data-testid="reverse-form">
<input name="reason" data-testid="reverse-reason" placeholder="Reason"><input name="reference" data-testid="reverse-reference" placeholder="Your reference">
<button type="submit" data-testid="reverse-submit">Reverse</button></form></td>`;
}

function adjudicationRow(claimRef: string, a: ShownAdjudication): SafeHtml {
  return html`<tr data-testid="adjudication" data-reference="${a.reference}" data-confirmation="${a.confirmation}">
<td data-testid="adjudication-reference">${a.reference}</td><td data-testid="adjudication-decision">${a.decision}</td>
<td data-testid="adjudication-amount">${formatCents(a.amountCents)}</td><td data-testid="adjudication-reason">${a.reason}</td>
<td data-testid="adjudication-confirmation">${a.confirmation}</td><td>${a.at.slice(0, 16).replace('T', ' ')}</td>${reversalCell(claimRef, a)}</tr>`;
}

function fieldError(errors: AdjudicationErrors, field: keyof AdjudicationErrors): SafeHtml | '' {
  const message = errors[field];
  return message ? html`<span class="error" data-testid="error-${field}">${message}</span>` : '';
}

function adjudicationForm(claim: ClaimView, values: AdjudicationFormValues, errors: AdjudicationErrors): SafeHtml {
  const selected = (d: string): SafeHtml => html`${values.decision === d ? html` selected` : ''}`;
  const hasErrors = Object.keys(errors).length > 0;
  return html`<h2>Adjudicate</h2>
${hasErrors ? html`<p class="error" data-testid="form-errors">The adjudication was not recorded: correct the fields below.</p>` : ''}
<form method="post" action="/claims/${encodeURIComponent(claim.claimRef)}/adjudicate" data-testid="adjudication-form">
  <label>Decision <select name="decision" data-testid="decision"><option value="">Choose…</option>
    <option value="approve"${selected('approve')}>Approve</option><option value="reject"${selected('reject')}>Reject</option></select></label>
  ${fieldError(errors, 'decision')}
  <label>Approved amount <input name="amount" data-testid="amount" inputmode="decimal" value="${values.amount}"></label>
  ${fieldError(errors, 'amount')}
  <label>Reason <textarea name="reason" data-testid="reason" rows="3">${values.reason}</textarea></label>
  ${fieldError(errors, 'reason')}
  <label>Your reference (max ${MAX_REFERENCE_LENGTH}) <input name="reference" data-testid="reference" value="${values.reference}"></label>
  ${fieldError(errors, 'reference')}
  <p><button type="submit" data-testid="submit-adjudication">Submit adjudication</button></p>
</form>`;
}

export function claimDetailPage(opts: {
  login: SeedLogin;
  claim: ClaimView;
  values?: AdjudicationFormValues;
  errors?: AdjudicationErrors;
}): string {
  const c = opts.claim;
  const values = opts.values ?? { decision: '', amount: '', reason: '', reference: '' };
  const body = html`<p><a href="/claims">← All claims</a></p>
<h1>Claim <span data-testid="claim-ref">${c.claimRef}</span></h1>
<dl>
  <dt>Member id</dt><dd data-testid="member-id">${c.memberId}</dd>
  <dt>Member name</dt><dd data-testid="member-name">${c.memberName}</dd>
  <dt>Diagnosis (ICD-10)</dt><dd data-testid="diagnosis-code">${c.diagnosisCode}</dd>
  <dt>Claimed amount</dt><dd data-testid="claim-amount">${formatCents(c.amountCents)}</dd>
  <dt>Status</dt><dd data-testid="claim-status">${c.status}</dd>
  <dt>Submitted</dt><dd data-testid="submitted-on">${c.submittedOn}</dd>
</dl>
<h2>Previous adjudications</h2>
${
  c.adjudications.length === 0
    ? html`<p data-testid="no-adjudications">None.</p>`
    : html`<table data-testid="adjudications"><thead><tr><th>Your reference</th><th>Decision</th><th>Amount</th><th>Reason</th><th>Confirmation</th><th>At (UTC)</th><th>Reversal</th></tr></thead>
<tbody>${c.adjudications.map((a) => adjudicationRow(c.claimRef, a))}</tbody></table>`
}
${adjudicationForm(c, values, opts.errors ?? {})}`;
  return layout(`Claim ${c.claimRef}`, body, opts.login);
}

export function confirmationPage(login: SeedLogin, entry: LedgerEntry): string {
  const body = html`<h1>${entry.reverses ? html`Reversal of <span data-testid="reversed-confirmation">${entry.reverses}</span> recorded` : 'Adjudication recorded'}</h1>
<p>Confirmation number <strong data-testid="confirmation">${entry.confirmation}</strong></p>
<dl>
  <dt>Claim</dt><dd data-testid="confirmed-claim-ref">${entry.claimRef}</dd>
  <dt>Decision</dt><dd data-testid="confirmed-decision">${entry.decision}</dd>
  <dt>Amount</dt><dd data-testid="confirmed-amount">${formatCents(entry.amountCents)}</dd>
  <dt>Your reference</dt><dd data-testid="confirmed-reference">${entry.reference}</dd>
</dl>
<p><a href="/claims/${encodeURIComponent(entry.claimRef)}">Back to the claim</a></p>`;
  return layout('Adjudication recorded', body, login);
}

export function claimNotFoundPage(login: SeedLogin, claimRef: string): string {
  const body = html`<h1>Claim not found</h1><p data-testid="claim-not-found">No claim <code>${claimRef}</code> is visible to you.</p>
<p><a href="/claims">← All claims</a></p>`;
  return layout('Claim not found', body, login);
}
