import { html, type SafeHtml } from '../shared/html';
import { sitePages } from '../shared/site-pages';
import { formatCents } from './money';
import type { Paged } from './payroll-book';
import { employeesPath, payrollPath, timesheetPath } from './paths';
import { SEED_TENANTS } from './seed';
import type { SeedEmployee, SeedLogin, TimesheetRow } from './types';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#222}header{background:#2a6f4e;color:#fff;padding:.6rem 1rem;display:flex;justify-content:space-between}
header a{color:#fff}main{padding:1rem 1.5rem;max-width:70rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}
.error{color:#b00020}.pending{background:#fff3cd;padding:.5rem}label{display:block;margin-top:.6rem}dl{display:grid;grid-template-columns:14rem 1fr}dt{font-weight:600}`;

export const { layout, loginPage, serverErrorPage, notFoundPage } = sitePages<SeedLogin>(
  { titleName: 'PayPortal', headerName: 'PayPortal', style: STYLE },
  (login) => SEED_TENANTS[login.tenant].name,
);

/** "Page 2 of 20" with Previous/Next links, the markers the bot pages with. */
export function pagination(paged: Paged<unknown>, link: (page: number) => string): SafeHtml {
  return html`<p data-testid="pagination">Page <span data-testid="page-number">${paged.page}</span> of <span data-testid="page-count">${paged.pages}</span>
(<span data-testid="row-count">${paged.total}</span> rows)
${paged.page > 1 ? html` <a data-testid="prev-page" href="${link(paged.page - 1)}">Previous</a>` : ''}
${paged.page < paged.pages ? html` <a data-testid="next-page" href="${link(paged.page + 1)}">Next</a>` : ''}</p>`;
}

export function employeesPage(login: SeedLogin, paged: Paged<SeedEmployee>): string {
  const body = html`<h1>Employees</h1>
<table data-testid="employees-table"><thead><tr><th>Id</th><th>Name</th><th>Cost center</th><th>Hourly rate</th><th>Status</th></tr></thead><tbody>
${paged.rows.map(
  (e) => html`<tr data-testid="employee-row" data-employee-id="${e.employeeId}"><td data-testid="employee-id">${e.employeeId}</td>
<td data-testid="employee-name">${e.name}</td><td data-testid="employee-cost-center">${e.costCenter}</td>
<td data-testid="employee-rate">${formatCents(e.hourlyRateCents)}</td><td data-testid="employee-status">${e.status}</td></tr>`,
)}
</tbody></table>
${pagination(paged, employeesPath)}`;
  return layout('Employees', body, login);
}

export function timesheetPage(login: SeedLogin, period: string, paged: Paged<TimesheetRow>): string {
  const body = html`<p><a href="${payrollPath(period)}">← Payroll ${period}</a></p>
<h1>Timesheet export <span data-testid="period">${period}</span></h1>
<table data-testid="timesheet-table"><thead><tr><th>Employee</th><th>Name</th><th>Regular h</th><th>Overtime h</th><th>Bonus</th><th>Cost center</th><th>Rate</th></tr></thead><tbody>
${paged.rows.map(
  (r) => html`<tr data-testid="timesheet-line"><td data-testid="ts-employee-id">${r.employeeId}</td><td data-testid="ts-employee-name">${r.employeeName}</td>
<td data-testid="ts-regular-hours">${r.regularHours}</td><td data-testid="ts-overtime-hours">${r.overtimeHours}</td>
<td data-testid="ts-bonus">${r.bonusCents === 0 ? '' : formatCents(r.bonusCents)}</td><td data-testid="ts-cost-center">${r.costCenter}</td>
<td data-testid="ts-hourly-rate">${formatCents(r.hourlyRateCents)}</td></tr>`,
)}
</tbody></table>
${pagination(paged, (page) => timesheetPath(period, page))}`;
  return layout(`Timesheet ${period}`, body, login);
}

/** A refusal the clerk cannot fix by retrying: the marker names what was refused. */
export function refusalPage(login: SeedLogin, title: string, testId: string, message: string, back?: { href: string; label: string }): string {
  const body = html`<h1>${title}</h1><p class="error" data-testid="${testId}">${message}</p>
${back ? html`<p><a href="${back.href}">← ${back.label}</a></p>` : ''}`;
  return layout(title, body, login);
}
