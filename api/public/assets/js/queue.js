// The team queue: the team's tasks (filters, "Load more"), kept current by the team's event stream,
// with a keyboard cursor (j/k, Enter) and bulk approve.
import { inbox, teamEvents } from './api.js';
import { due, h } from './dom.js';

const PAGE_SIZE = 50;
const LIVE_TEXT = { live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline: reload the page', loading: 'Connecting…' };

/** The server's order: most urgent first, then the earliest due, then the oldest. */
function byUrgency(a, b) {
  const dueOf = (t) => (t.dueAt ? Date.parse(t.dueAt) : Infinity);
  return a.priority - b.priority || dueOf(a) - dueOf(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

export class QueueView {
  #root;
  #me;
  #onOpen;
  #onTakeNext;
  #onEvent;
  #team = '';
  #tasks = [];
  #total = 0;
  #nextCursor;
  #cursor = -1;
  #selected = new Set();
  #stopEvents = () => {};
  #loadSeq = 0;
  #el = {};

  /** onOpen(taskId, action?) opens a task; onTakeNext() claims the next one; onEvent sees every stream event. */
  constructor(root, { me, onOpen, onTakeNext, onEvent = () => {} }) {
    this.#root = root;
    this.#me = me;
    this.#onOpen = onOpen;
    this.#onTakeNext = onTakeNext;
    this.#onEvent = onEvent;
    this.#build();
    setInterval(() => this.#render(), 30_000); // due times are relative
  }

  setTeam(team) {
    this.#team = team;
    this.#el.title.textContent = team;
    this.#stopEvents();
    this.#setLive('loading');
    this.#stopEvents = teamEvents(team, {
      onEvent: (event) => {
        this.applyEvent(event);
        this.#onEvent(event);
      },
      onState: (state, { reconnected } = {}) => {
        this.#setLive(state);
        if (reconnected) void this.reload(); // events sent while the stream was down are not replayed
      },
    });
    return this.reload();
  }

  async reload() {
    const seq = ++this.#loadSeq;
    this.#el.status.textContent = 'Loading…';
    try {
      const page = await inbox.teamTasks(this.#team, { ...this.#query(), limit: PAGE_SIZE });
      if (seq !== this.#loadSeq) return; // a newer filter change won
      this.#tasks = page.tasks;
      this.#total = page.total;
      this.#nextCursor = page.nextCursor;
      this.#selected = new Set([...this.#selected].filter((id) => this.#tasks.some((t) => t.taskId === id)));
      this.#cursor = Math.min(Math.max(this.#cursor, 0), this.#tasks.length - 1);
      this.#el.status.textContent = '';
    } catch (problem) {
      if (seq === this.#loadSeq) this.#el.status.textContent = `Could not load the queue: ${problem.summary ?? problem}`;
    }
    this.#render();
  }

  async #loadMore() {
    if (!this.#nextCursor) return;
    try {
      const page = await inbox.teamTasks(this.#team, { ...this.#query(), limit: PAGE_SIZE, cursor: this.#nextCursor });
      const known = new Set(this.#tasks.map((t) => t.taskId));
      this.#tasks.push(...page.tasks.filter((t) => !known.has(t.taskId)));
      this.#total = page.total;
      this.#nextCursor = page.nextCursor;
    } catch (problem) {
      this.#el.status.textContent = `Could not load more: ${problem.summary ?? problem}`;
    }
    this.#render();
  }

  /** An event from the team's stream: `upserted` replaces or inserts the row, `removed` drops it. */
  applyEvent(event) {
    if (event.type === 'removed' || !event.task || !this.#matches(event.task)) return this.forget(event.taskId);
    if (event.type !== 'upserted') return;
    const task = event.task;
    const at = this.#tasks.findIndex((t) => t.taskId === task.taskId);
    if (at >= 0) {
      if ((this.#tasks[at].version ?? 0) > (task.version ?? 0)) return; // an older copy arriving late
      this.#tasks[at] = task;
    } else {
      const last = this.#tasks.at(-1);
      if (this.#nextCursor && last && byUrgency(task, last) > 0) return void (this.#total += 1); // beyond the loaded page
      this.#tasks.push(task);
      this.#total += 1;
    }
    const current = this.#tasks[this.#cursor]?.taskId;
    this.#tasks.sort(byUrgency);
    this.#cursor = Math.max(0, this.#tasks.findIndex((t) => t.taskId === current));
    this.#render();
  }

  /** Drops a task from the table (decided here, or gone elsewhere). */
  forget(taskId) {
    const at = this.#tasks.findIndex((t) => t.taskId === taskId);
    if (at < 0) return;
    this.#tasks.splice(at, 1);
    this.#total = Math.max(0, this.#total - 1);
    this.#selected.delete(taskId);
    if (this.#cursor >= this.#tasks.length) this.#cursor = this.#tasks.length - 1;
    this.#render();
  }

  /** Single-key shortcuts while the queue shows; true when the key was used. */
  handleKey(key) {
    const task = this.#tasks[this.#cursor];
    if (key === 'j' || key === 'ArrowDown') this.#move(1);
    else if (key === 'k' || key === 'ArrowUp') this.#move(-1);
    else if (key === 'Enter' && task) this.#onOpen(task.taskId);
    else if (key === 'a' && task) this.#onOpen(task.taskId, 'approve');
    else if (key === 'x' && task) this.#toggle(task.taskId, !this.#selected.has(task.taskId));
    else return false;
    return true;
  }

  focus() {
    const row = this.#rowOf(this.#tasks[this.#cursor]?.taskId);
    (row ?? this.#el.takeNext).focus();
  }

  #query() {
    const f = this.#el.filters.elements;
    return {
      status: f.status.value,
      client: f.client.value,
      overdue: f.overdue.checked ? 'true' : '',
      assignee: f.mine.checked ? 'me' : '',
      q: f.q.value.trim(),
    };
  }

  /** The same filters the server applies, for tasks that arrive through the stream. */
  #matches(task) {
    const q = this.#query();
    const wanted = q.status === 'active' || !q.status ? ['open', 'claimed'] : [q.status];
    if (!wanted.includes(task.status) || !this.#me.clients.includes(task.client)) return false;
    if (q.client && task.client !== q.client) return false;
    if (q.overdue && !due(task.dueAt).overdue) return false;
    if (q.assignee && task.assignee !== this.#me.operatorId) return false;
    const text = [task.title, task.businessRef, task.client, ...(task.labels ?? [])].join(' ').toLowerCase();
    return !q.q || text.includes(q.q.toLowerCase());
  }

  #move(delta) {
    if (!this.#tasks.length) return;
    this.#cursor = Math.min(Math.max(this.#cursor + delta, 0), this.#tasks.length - 1);
    this.#render();
    const row = this.#rowOf(this.#tasks[this.#cursor].taskId);
    row?.focus();
    row?.scrollIntoView({ block: 'nearest' });
  }

  #toggle(taskId, on) {
    if (on) this.#selected.add(taskId);
    else this.#selected.delete(taskId);
    this.#render();
  }

  async #bulkApprove() {
    const ids = [...this.#selected];
    if (!ids.length) return;
    const titles = new Map(this.#tasks.map((t) => [t.taskId, t.title]));
    const out = this.#el.bulkResults;
    out.replaceChildren(h('p', {}, `Approving ${ids.length}…`));
    this.#el.approve.disabled = true;
    try {
      const { results } = await inbox.bulkComplete(ids, 'approve', {});
      const failed = results.filter((r) => !r.ok);
      for (const r of results) if (r.ok) this.forget(r.taskId);
      out.replaceChildren(
        h('p', {}, `${results.length - failed.length} approved${failed.length ? `, ${failed.length} failed` : ''}.`),
        failed.length ? h('ul', { class: 'failures' }, failed.map((r) => h('li', {}, `${titles.get(r.taskId) ?? r.taskId}: ${r.problem?.title ?? 'failed'}${r.problem?.detail ? ` (${r.problem.detail})` : ''}`))) : null,
      );
    } catch (problem) {
      out.replaceChildren(h('p', { class: 'error' }, `Bulk approve failed: ${problem.summary ?? problem}`));
    }
    this.#render();
  }

  #setLive(state) {
    this.#el.live.textContent = LIVE_TEXT[state] ?? state;
    this.#el.live.dataset.state = state;
  }

  #rowOf(taskId) {
    return taskId ? this.#el.body.querySelector(`tr[data-task-id="${CSS.escape(taskId)}"]`) : null;
  }

  #build() {
    const clients = this.#me.clients.map((c) => h('option', { value: c }, c));
    const onChange = () => void this.reload();
    let typing;
    const el = (this.#el = {
      title: h('span', {}),
      count: h('span', { class: 'count' }),
      live: h('span', { class: 'live', 'aria-live': 'polite' }),
      takeNext: h('button', { type: 'button', class: 'primary', onclick: () => this.#onTakeNext(), 'aria-keyshortcuts': 'n' }, 'Take next ', h('kbd', {}, 'n')),
      approve: h('button', { type: 'button', onclick: () => void this.#bulkApprove(), disabled: true }, 'Approve selected'),
      bulkResults: h('div', { class: 'bulk-results', 'aria-live': 'polite' }),
      status: h('p', { class: 'muted', role: 'status' }),
      selectAll: h('input', { type: 'checkbox', 'aria-label': 'Select all loaded tasks', onchange: (e) => this.#selectAll(e.target.checked) }),
      body: h('tbody', {}),
      empty: h('p', { class: 'empty', hidden: true }, 'No tasks here. New ones appear as they arrive.'),
      more: h('button', { type: 'button', hidden: true, onclick: () => void this.#loadMore() }, 'Load more'),
    });
    el.filters = h(
      'form',
      { class: 'filters', role: 'search', 'aria-label': 'Filter tasks', onchange: onChange, onsubmit: (e) => e.preventDefault() },
      h('label', {}, 'Client ', h('select', { name: 'client' }, h('option', { value: '' }, 'All clients'), clients)),
      h('label', {}, 'Status ', h('select', { name: 'status' }, h('option', { value: 'active' }, 'Open and claimed'), h('option', { value: 'open' }, 'Open'), h('option', { value: 'claimed' }, 'Claimed'))),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'overdue' }), ' Overdue'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'mine' }), ' Assigned to me'),
      h('label', { class: 'search' }, 'Search ', h('input', { type: 'search', name: 'q', placeholder: 'Title, reference, label', oninput: () => (clearTimeout(typing), (typing = setTimeout(onChange, 250))) })),
    );
    const head = ['Priority', 'Task', 'Client', 'Reference', 'Status', 'Due', 'Labels'].map((t) => h('th', { scope: 'col' }, t));
    this.#root.replaceChildren(
      h('div', { class: 'queue-head' }, h('h1', { id: 'queue-title' }, el.title, ' ', el.count), el.live, el.takeNext),
      el.filters,
      h('div', { class: 'bulk-bar' }, el.approve, el.bulkResults),
      el.status,
      h('table', { class: 'queue' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'select' }, el.selectAll), head)), el.body),
      el.empty,
      el.more,
    );
  }

  #selectAll(on) {
    this.#selected = on ? new Set(this.#tasks.map((t) => t.taskId)) : new Set();
    this.#render();
  }

  #render() {
    // Rows are rebuilt: put the focus back on the same control of the same task.
    const active = document.activeElement;
    const focused = active?.closest?.('tr[data-task-id]')?.dataset.taskId;
    const part = active?.matches?.('input') ? 'input' : active?.matches?.('a') ? 'a' : null;
    this.#el.body.replaceChildren(...this.#tasks.map((task, i) => this.#row(task, i === this.#cursor)));
    this.#el.count.textContent = `${this.#total} task${this.#total === 1 ? '' : 's'}`;
    this.#el.empty.hidden = this.#tasks.length > 0;
    this.#el.more.hidden = !this.#nextCursor;
    this.#el.approve.disabled = this.#selected.size === 0;
    this.#el.approve.textContent = `Approve selected (${this.#selected.size})`;
    this.#el.selectAll.checked = this.#tasks.length > 0 && this.#selected.size === this.#tasks.length;
    const row = this.#rowOf(focused);
    if (row) (part ? row.querySelector(part) : row).focus();
  }

  #row(task, current) {
    const me = this.#me.operatorId;
    const when = due(task.dueAt);
    const holder = task.claim?.operatorId;
    const status = task.status === 'claimed' && holder ? `Claimed by ${holder === me ? 'you' : holder}` : task.assignee ? `Open, for ${task.assignee === me ? 'you' : task.assignee}` : 'Open';
    return h(
      'tr',
      { 'data-task-id': task.taskId, tabindex: -1, class: [current ? 'current' : '', when.overdue ? 'overdue' : ''].join(' ').trim() || null, 'aria-current': current ? 'true' : null, ondblclick: () => this.#onOpen(task.taskId) },
      h('td', { class: 'select' }, h('input', { type: 'checkbox', 'aria-label': `Select ${task.title}`, checked: this.#selected.has(task.taskId), onchange: (e) => this.#toggle(task.taskId, e.target.checked) })),
      h('td', {}, h('span', { class: `prio p${task.priority}`, title: `Priority ${task.priority} (1 is most urgent)` }, `P${task.priority}`)),
      h('td', {}, h('a', { href: `#/task/${encodeURIComponent(task.taskId)}`, class: 'task-link' }, task.title)),
      h('td', {}, task.client),
      h('td', { class: 'mono' }, task.businessRef),
      h('td', { class: `status s-${task.status}` }, status),
      h('td', { class: when.overdue ? 'due overdue' : 'due' }, when.overdue ? h('strong', {}, when.text) : when.text),
      h('td', {}, (task.labels ?? []).map((l) => h('span', { class: 'label' }, l))),
    );
  }
}
