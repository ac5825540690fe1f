// One client's service overview for a process and period: the KPIs against the service level's
// targets, four charts (each with its table), the runs behind a figure, and the exports. The
// period is a month (`2026-11`) or ISO week (`2026-W48`), as the API's reports take it.
import { download, inbox, oversight } from './api.js';
import { dateTime, duration, h } from './dom.js';
import { chartPanels } from './portal-charts.js';
import { clientName } from './clients.js';

/** This month in the browser's calendar: `2026-12`. */
export const thisMonth = () => new Date().toISOString().slice(0, 7);

export const pct = (r) => (r === null || r === undefined ? '–' : `${(r * 100).toFixed(1)} %`);
export const hours = (ms) => (ms === null || ms === undefined ? '–' : `${(ms / 3_600_000).toFixed(1)} h`);
const moneyIn = (v, currency) => (v === null || v === undefined ? '–' : `${v.toFixed(2)} ${currency ?? ''}`.trim());

const FIGURE_TITLES = {
  completed: 'Completed items',
  'within-target': 'Within the turnaround target',
  breached: 'Past the turnaround target',
  'straight-through': 'Straight through (no person touched them)',
  'human-touched': 'Touched by an operator',
  'qa-reviewed': 'Reviewed by quality assurance',
  'qa-failed': 'Failed quality review',
  'business-exception': 'With a business exception',
  'system-exception': 'With a system exception',
};

/** Met / missed against a target, in words and colour (never colour alone). */
function verdict(value, target, atMost = false) {
  if (value === null || value === undefined || target === null || target === undefined) return null;
  const met = atMost ? value <= target : value >= target;
  return h('span', { class: `verdict ${met ? 'met' : 'missed'}` }, met ? 'Met' : 'Missed');
}

export class Dashboard {
  #root;
  #seq = 0;
  #charts = [];
  #titles;

  constructor(root) {
    this.#root = root;
  }

  /** Shows the overview; false when the client is not one of the caller's (the API said 404). */
  async show(client, params) {
    const seq = ++this.#seq;
    const period = /^\d{4}-(\d{2}|W\d{2})$/.test(params.get('period') ?? '') ? params.get('period') : thisMonth();
    this.#root.replaceChildren(h('p', { class: 'muted', role: 'status' }, 'Loading the service overview…'));
    let levels;
    try {
      levels = (await oversight.serviceLevels(client)).serviceLevels;
    } catch (problem) {
      if (problem.status === 404) return false;
      this.#root.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not read the service levels: ${problem.summary ?? problem}`));
      return true;
    }
    const processes = [...new Set(levels.map((l) => l.process))];
    this.#titles ??= inbox.processes().then((list) => new Map(list.map((p) => [p.name, p.title])), () => new Map());
    const titles = await this.#titles;
    const titleOf = (name) => titles.get(name) ?? name;
    const process = params.has('process') ? params.get('process') : (processes[0] ?? '');
    const figure = params.get('runs') ?? '';
    let report;
    try {
      report = await oversight.report(client, period, process || undefined);
    } catch (problem) {
      if (problem.status === 404) return false;
      if (seq !== this.#seq) return true;
      this.#root.replaceChildren(this.#controls(client, processes, process, period), h('p', { class: 'error', role: 'alert' }, `Could not read the report: ${problem.summary ?? problem}`));
      return true;
    }
    if (seq !== this.#seq) return true;
    const level = levels.filter((l) => l.process === process).sort((a, b) => b.version - a.version)[0];
    for (const chart of this.#charts) chart.destroy();
    const { panels, charts } = chartPanels(report, level?.turnaround.targetMs);
    this.#charts = charts;
    const drill = h('section', { class: 'panel drill', id: 'runs-behind', 'aria-labelledby': 'runs-behind-title', hidden: !figure });
    const title = h('h1', { id: 'dashboard-title', tabindex: -1 }, `${clientName(client)} · ${process ? titleOf(process) : 'all processes'}`);
    this.#root.replaceChildren(
      h('header', { class: 'portal-head' }, h('div', {}, title, h('p', { class: 'muted level-line' }, levelLine(level, period, levels[0]?.calendar.timeZone))), this.#exports(client, period, process)),
      this.#controls(client, processes, process, period, titleOf),
      this.#tiles(report, level, (f) => this.#address(client, process, period, f)),
      h('div', { class: 'chart-grid' }, panels),
      drill,
    );
    charts.forEach((c) => c.draw());
    if (figure) await this.#showRuns(drill, client, period, process, figure);
    (figure ? drill.querySelector('h2') : title).focus();
    return true;
  }

  #address(client, process, period, figure) {
    const params = new URLSearchParams({ process, period, ...(figure ? { runs: figure } : {}) });
    return `#/client/${encodeURIComponent(client)}?${params}`;
  }

  #controls(client, processes, process, period, titleOf = (name) => name) {
    const week = period.includes('W');
    const go = (next) => (location.hash = this.#address(client, next.process ?? process, next.period ?? period));
    const kind = h('select', { name: 'kind', onchange: (e) => go({ period: e.target.value === 'week' ? isoWeekOf(new Date()) : thisMonth() }) }, h('option', { value: 'month', selected: !week }, 'Month'), h('option', { value: 'week', selected: week }, 'Week'));
    const picker = h('input', { type: week ? 'week' : 'month', name: 'period', value: period, required: true, onchange: (e) => e.target.value && go({ period: e.target.value }) });
    const options = [...processes.map((p) => [p, titleOf(p)]), ['', 'All processes']];
    const select = h('select', { name: 'process', onchange: (e) => go({ process: e.target.value }) }, options.map(([v, t]) => h('option', { value: v, selected: v === process }, t)));
    return h('form', { class: 'filters', 'aria-label': 'Period and process', onsubmit: (e) => e.preventDefault() },
      h('label', {}, 'Process ', select), h('label', {}, 'Period ', kind), h('label', {}, week ? 'Week ' : 'Month ', picker));
  }

  #exports(client, period, process) {
    const status = h('span', { class: 'muted small', role: 'status' });
    const path = (format) => `/clients/${encodeURIComponent(client)}/reports/${encodeURIComponent(period)}?format=${format}${process ? `&process=${encodeURIComponent(process)}` : ''}`;
    const name = `${client}${process ? `.${process}` : ''}.${period}`;
    const button = (text, format) =>
      h('button', { type: 'button', onclick: () => download(path(format), `${name}.${format}`).then(() => (status.textContent = ''), (p) => (status.textContent = `Export failed: ${p.summary ?? p}`)) }, text);
    return h('div', { class: 'exports' }, button('Download CSV', 'csv'), button('Printable report', 'html'), status);
  }

  #tiles(r, level, address) {
    // Each link names its runs, so a list of the page's links reads on its own.
    const link = (figure, count, what) => (count > 0 ? h('a', { href: address(figure), class: 'runs-link' }, `Runs: ${count} ${what}`) : h('span', { class: 'muted small' }, `No runs ${what}`));
    const tile = (key, label, value, raw, detail, verdictEl, runs) =>
      h('div', { class: 'tile', 'data-kpi': key, 'data-value': raw === null || raw === undefined ? '' : String(raw) },
        h('h2', {}, label), h('p', { class: 'figure' }, h('span', { class: 'value' }, value), ' ', verdictEl), h('p', { class: 'detail muted' }, detail), runs);
    const cur = r.cost.currency ?? level?.cost.currency;
    const main = [
      tile('turnaround.attainment', 'Turnaround within target', pct(r.turnaround.attainment), r.turnaround.attainment,
        `target ≥ ${pct(r.turnaround.target)} · ${r.turnaround.withinTarget} of ${r.turnaround.measured}`, verdict(r.turnaround.attainment, r.turnaround.target), link('breached', r.turnaround.breaches, 'past target')),
      tile('quality.passRate', 'Quality (QA pass rate)', pct(r.quality.passRate), r.quality.passRate,
        `target ≥ ${pct(r.quality.target)} · ${r.quality.passed} of ${r.quality.reviewed} reviewed passed`, verdict(r.quality.passRate, r.quality.target), link('qa-failed', r.quality.reviewed - r.quality.passed, 'failed review')),
      tile('straightThrough.rate', 'Straight-through rate', pct(r.straightThrough.rate), r.straightThrough.rate,
        `target ≥ ${pct(r.straightThrough.target)} · ${r.straightThrough.items} of ${r.volume.completed}`, verdict(r.straightThrough.rate, r.straightThrough.target), link('straight-through', r.straightThrough.items, 'straight through')),
      tile('cost.perTransaction', 'Cost per transaction', moneyIn(r.cost.perTransaction, cur), r.cost.perTransaction, `total ${moneyIn(r.cost.total, cur)}`, null, link('completed', r.volume.completed, 'completed')),
      tile('backlog.open', 'Backlog (open now)', String(r.backlog?.open ?? '–'), r.backlog?.open,
        !r.backlog?.open ? 'nothing open' : `${r.backlog.buckets.breached} past target · oldest ${duration(r.backlog.oldestAgeMs)} old`, verdict(r.backlog?.buckets.breached ?? null, 0, true), null),
    ];
    const small = [
      tile('volume.completed', 'Completed', String(r.volume.completed), r.volume.completed, `${r.volume.failed} failed · ${r.volume.cancelled} cancelled`, null, link('completed', r.volume.completed, 'completed')),
      tile('turnaround.p50Ms', 'Turnaround p50 / p90', `${hours(r.turnaround.p50Ms)} / ${hours(r.turnaround.p90Ms)}`, r.turnaround.p50Ms, level?.turnaround.clock === 'business' ? 'business hours' : 'calendar hours', null, null),
      tile('turnaround.breaches', 'Breaches', String(r.turnaround.breaches), r.turnaround.breaches, 'completed past target', null, link('breached', r.turnaround.breaches, 'past target')),
      tile('exceptions.business.items', 'Business exceptions', String(r.exceptions.business.items), r.exceptions.business.items, `${pct(r.exceptions.business.rate)} of ${r.exceptions.entered} entered`, null, link('business-exception', r.exceptions.business.items, 'with a business exception')),
      tile('exceptions.system.items', 'System exceptions', String(r.exceptions.system.items), r.exceptions.system.items, `${pct(r.exceptions.system.rate)} of ${r.exceptions.entered} entered`, null, link('system-exception', r.exceptions.system.items, 'with a system exception')),
      tile('operators.avgHandleMinutes', 'Operator handle time', r.operators.avgHandleMinutes === null ? '–' : `${r.operators.avgHandleMinutes.toFixed(1)} min`, r.operators.avgHandleMinutes, `${r.operators.touchedItems} items touched`, null, link('human-touched', r.operators.touchedItems, 'touched')),
      tile('bots.successRate', 'Bot step success', pct(r.bots.successRate), r.bots.successRate, `${r.bots.steps} steps · ${r.bots.minutes.toFixed(0)} bot minutes`, null, null),
    ];
    return h('section', { 'aria-label': 'Key figures' }, h('div', { class: 'tiles main' }, main), h('div', { class: 'tiles small' }, small));
  }

  async #showRuns(panel, client, period, process, figure) {
    const title = h('h2', { id: 'runs-behind-title', tabindex: -1 }, `Runs behind: ${FIGURE_TITLES[figure] ?? figure}`);
    panel.replaceChildren(title, h('p', { class: 'muted', role: 'status' }, 'Loading the runs…'));
    try {
      const page = await oversight.runs(client, period, { process: process || undefined, figure });
      const head = ['Reference', 'Process', 'Status', 'Received', 'Closed', 'Turnaround', 'Exceptions', 'QA', 'Run'].map((t) => h('th', { scope: 'col' }, t));
      const runLink = (run, suffix, text) => h('a', { href: `#/run/${encodeURIComponent(run.runId)}${suffix}` }, text);
      const rows = page.runs.map((run) =>
        h('tr', { 'data-run-id': run.runId },
          h('td', { class: 'mono' }, run.businessRef), h('td', {}, run.process), h('td', {}, run.outcome ? `${run.status} (${run.outcome})` : run.status),
          h('td', {}, dateTime(run.receivedAt)), h('td', {}, dateTime(run.closedAt)),
          h('td', { class: run.withinTarget === false ? 'overdue' : null }, run.turnaroundMs === null ? '–' : `${hours(run.turnaroundMs)}${run.withinTarget === false ? ' (past target)' : ''}`),
          h('td', {}, [...run.businessExceptions, ...run.systemExceptions].join(', ') || '–'),
          h('td', {}, run.qaResult ? `${run.qaResult}${run.qaReason ? `: ${run.qaReason}` : ''}` : '–'),
          h('td', { class: 'links' }, runLink(run, '', 'Steps'), ' · ', runLink(run, '/audit', 'Audit'))),
      );
      panel.replaceChildren(title, h('p', { class: 'muted' }, `${page.runs.length}${page.truncated ? '+' : ''} run${page.runs.length === 1 ? '' : 's'}, newest first.`),
        h('table', { class: 'queue runs' }, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
    } catch (problem) {
      panel.replaceChildren(title, h('p', { class: 'error', role: 'alert' }, `Could not list the runs: ${problem.summary ?? problem}`));
    }
  }
}

function levelLine(level, period, timeZone = 'UTC') {
  const span = `${period.includes('W') ? 'Week' : 'Month'} ${period} (${timeZone})`;
  if (!level) return `${span} · no service level for this selection: figures without targets`;
  const clock = level.turnaround.clock === 'business' ? `business hours (${level.calendar.timeZone}${level.calendar.opens ? ` ${level.calendar.opens}–${level.calendar.closes}` : ''})` : `calendar hours (${level.calendar.timeZone})`;
  return `${span} · service level v${level.version} since ${level.effectiveFrom}: ${pct(level.turnaround.attainment)} within ${hours(level.turnaround.targetMs)} of ${clock}`;
}

/** `2026-W49` for a date (ISO week: the week with the year's first Thursday is week 1). */
export function isoWeekOf(date) {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const week = Math.ceil(((d - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
