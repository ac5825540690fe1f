// The runs page: runs of the operator's clients, newest first, with the filters of GET /runs (kept
// in the address, so a filtered list can be bookmarked or shared), "Load more", and links to each
// run's steps and audit.
import { inbox } from './api.js';
import { dateTime, h } from './dom.js';
import { clientName } from './clients.js';

const PAGE_SIZE = 50;
export const FILTERS = ['process', 'client', 'status', 'businessRef', 'startedAfter', 'startedBefore'];
const STATUSES = [
  ['', 'Any status'],
  ['running', 'Running'],
  ['waiting-human', 'Waiting on a person'],
  ['waiting-bot', 'Waiting on a bot'],
  ['completed', 'Completed'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
  ['terminated', 'Terminated'],
  ['timed_out', 'Timed out'],
];
const PHASES = { 'waiting-human': 'Waiting on a person', 'waiting-bot': 'Waiting on a bot' };

/** A run's state in words: what a running run waits on, else how it ended. */
export function runState(run) {
  if (run.status === 'running') return PHASES[run.phase] ?? 'Running';
  return STATUSES.find(([value]) => value === run.status)?.[1] ?? run.status;
}

/** ISO instant ↔ the value of an <input type="datetime-local"> (the browser's own zone). */
const toLocalInput = (iso) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value) => (value ? new Date(value).toISOString() : '');

export class RunsView {
  #root;
  #me;
  #el;
  #runs = [];
  #nextCursor;
  #seq = 0;
  #processesLoaded;

  constructor(root, { me }) {
    this.#root = root;
    this.#me = me;
    this.#el = this.#layout();
  }

  /** Shows the runs matching `params` (URLSearchParams of the filters). */
  async show(params) {
    const f = this.#el.filters.elements;
    await this.#loadProcesses(params.get('process'));
    for (const name of FILTERS) {
      const value = params.get(name) ?? '';
      f[name].value = name.startsWith('started') ? (value ? toLocalInput(value) : '') : value;
    }
    await this.reload();
  }

  focus() {
    this.#el.title.focus();
  }

  /** The filters as GET /runs takes them. */
  query() {
    const f = this.#el.filters.elements;
    return Object.fromEntries(FILTERS.map((name) => [name, name.startsWith('started') ? fromLocalInput(f[name].value) : f[name].value.trim()]));
  }

  /** This list's address with its filters: `#/runs?status=running`. */
  address() {
    const params = new URLSearchParams(Object.entries(this.query()).filter(([, v]) => v));
    return `#/runs${params.size ? `?${params}` : ''}`;
  }

  async reload() {
    const seq = ++this.#seq;
    const query = this.query();
    // The address follows the filters, without a hashchange (which would load the list again).
    history.replaceState(null, '', `${location.pathname}${this.address()}`);
    this.#el.status.textContent = 'Loading…';
    try {
      const page = await inbox.runs({ ...query, limit: PAGE_SIZE });
      if (seq !== this.#seq) return; // a newer filter change won
      this.#runs = page.runs;
      this.#nextCursor = page.nextCursor;
      this.#el.status.textContent = '';
    } catch (problem) {
      if (seq !== this.#seq) return;
      this.#runs = [];
      this.#nextCursor = undefined;
      const field = problem.errors?.[0]?.field;
      this.#el.status.textContent = `Could not list the runs: ${problem.summary ?? problem}${field ? ` (${field})` : ''}`;
    }
    this.#render();
  }

  async #loadMore() {
    if (!this.#nextCursor) return;
    const seq = this.#seq;
    try {
      const page = await inbox.runs({ ...this.query(), limit: PAGE_SIZE, cursor: this.#nextCursor });
      if (seq !== this.#seq) return;
      this.#runs.push(...page.runs);
      this.#nextCursor = page.nextCursor;
    } catch (problem) {
      this.#el.status.textContent = `Could not load more: ${problem.summary ?? problem}`;
    }
    this.#render();
  }

  async #loadProcesses(wanted) {
    this.#processesLoaded ??= inbox.processes().catch(() => []);
    const processes = await this.#processesLoaded;
    const names = new Set(processes.map((p) => p.name));
    if (wanted) names.add(wanted);
    const select = this.#el.filters.elements.process;
    if (select.options.length === names.size + 1) return;
    const title = (name) => processes.find((p) => p.name === name)?.title ?? name;
    select.replaceChildren(h('option', { value: '' }, 'All processes'), ...[...names].map((n) => h('option', { value: n }, title(n))));
  }

  #layout() {
    const select = (name, options) => h('select', { name }, options.map(([value, text]) => h('option', { value }, text)));
    let typing;
    const onFilter = () => void this.reload();
    const el = {
      title: h('h1', { id: 'runs-title', tabindex: -1 }, 'Runs'),
      count: h('span', { class: 'count' }),
      status: h('p', { class: 'muted', role: 'status' }),
      body: h('tbody', {}),
      empty: h('p', { class: 'empty', hidden: true }, 'No runs match these filters.'),
      more: h('button', { type: 'button', class: 'load-more', hidden: true, onclick: () => void this.#loadMore() }, 'Load more'),
    };
    el.filters = h(
      'form',
      { class: 'filters', role: 'search', 'aria-label': 'Filter runs', onchange: onFilter, onsubmit: (e) => (e.preventDefault(), onFilter()) },
      h('label', {}, 'Process ', select('process', [['', 'All processes']])),
      h('label', {}, 'Client ', select('client', [['', 'All clients'], ...this.#me.clients.map((c) => [c, clientName(c)])])),
      h('label', {}, 'Status ', select('status', STATUSES)),
      h('label', {}, 'Reference ', h('input', { type: 'search', name: 'businessRef', placeholder: 'e.g. CLM-1002', oninput: () => (clearTimeout(typing), (typing = setTimeout(onFilter, 300))) })),
      h('label', {}, 'Started from ', h('input', { type: 'datetime-local', name: 'startedAfter' })),
      h('label', {}, 'until ', h('input', { type: 'datetime-local', name: 'startedBefore' })),
    );
    const head = ['Started', 'Process', 'Client', 'Reference', 'State', 'Closed', 'Run'].map((t) => h('th', { scope: 'col' }, t));
    this.#root.replaceChildren(
      h('div', { class: 'queue-head' }, h('div', {}, el.title, el.count)),
      el.filters,
      el.status,
      h('table', { class: 'queue runs' }, h('thead', {}, h('tr', {}, head)), el.body),
      el.empty,
      el.more,
    );
    return el;
  }

  #render() {
    const link = (run, suffix, text) => h('a', { href: `#/run/${encodeURIComponent(run.runId)}${suffix}` }, text);
    this.#el.body.replaceChildren(
      ...this.#runs.map((run) =>
        h(
          'tr',
          { 'data-run-id': run.runId },
          h('td', {}, dateTime(run.startedAt)),
          h('td', {}, run.process),
          h('td', {}, clientName(run.client)),
          h('td', { class: 'mono' }, run.businessRef ?? '—'),
          h('td', { class: `status s-${run.status}` }, runState(run)),
          h('td', {}, run.closedAt ? dateTime(run.closedAt) : '—'),
          h('td', { class: 'links' }, link(run, '', 'Steps'), ' · ', link(run, '/audit', 'Audit')),
        ),
      ),
    );
    const n = this.#runs.length;
    this.#el.count.textContent = ` ${n}${this.#nextCursor ? '+' : ''} run${n === 1 && !this.#nextCursor ? '' : 's'}, newest first`;
    this.#el.empty.hidden = n > 0 || Boolean(this.#el.status.textContent);
    this.#el.more.hidden = !this.#nextCursor;
  }
}
