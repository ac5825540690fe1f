// The team queue: the team's tasks (filters, "Load more"), kept current by the team's event stream,
// with a keyboard cursor (j/k, Enter) and bulk approve.
import { inbox, teamEvents } from './api.js';
import { h } from './dom.js';
import { buildQueueLayout, filterQuery, matchesFilters, queueRow } from './queue-layout.js';

const PAGE_SIZE = 50;
const LIVE_TEXT = { live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline: reload the page', loading: 'Connecting…' };

/** The server's order: most urgent first, then the earliest due, then the oldest. */
function byUrgency(a, b) {
  const dueOf = (t) => (t.dueAt ? Date.parse(t.dueAt) : Infinity);
  return a.priority - b.priority || dueOf(a) - dueOf(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

export class QueueView {
  #me;
  #onOpen;
  #onEvent;
  #team = '';
  #tasks = [];
  #nextCursor;
  #cursor = -1;
  #selected = new Set();
  #stopEvents = () => {};
  #loadSeq = 0;
  #el;

  /** onOpen(taskId, action?) opens a task; onTakeNext() claims the next one; onEvent sees every stream event. */
  constructor(root, { me, onOpen, onTakeNext, onEvent = () => {} }) {
    this.#me = me;
    this.#onOpen = onOpen;
    this.#onEvent = onEvent;
    this.#el = buildQueueLayout(root, me, {
      onFilter: () => void this.reload(),
      onTakeNext,
      onBulkApprove: () => void this.#bulkApprove(),
      onSelectAll: (on) => this.#selectAll(on),
      onLoadMore: () => void this.#loadMore(),
    });
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
      const page = await inbox.teamTasks(this.#team, { ...filterQuery(this.#el.filters), limit: PAGE_SIZE });
      if (seq !== this.#loadSeq) return; // a newer filter change won
      this.#tasks = page.tasks;
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
      const page = await inbox.teamTasks(this.#team, { ...filterQuery(this.#el.filters), limit: PAGE_SIZE, cursor: this.#nextCursor });
      const known = new Set(this.#tasks.map((t) => t.taskId));
      this.#tasks.push(...page.tasks.filter((t) => !known.has(t.taskId)));
      this.#nextCursor = page.nextCursor;
    } catch (problem) {
      this.#el.status.textContent = `Could not load more: ${problem.summary ?? problem}`;
    }
    this.#render();
  }

  /** An event from the team's stream: `upserted` replaces or inserts the row, `removed` drops it. */
  applyEvent(event) {
    const task = event.task;
    if (event.type === 'removed' || !task || !matchesFilters(task, filterQuery(this.#el.filters), this.#me)) return this.forget(event.taskId);
    const at = this.#tasks.findIndex((t) => t.taskId === task.taskId);
    if (at >= 0) {
      if ((this.#tasks[at].version ?? 0) > (task.version ?? 0)) return; // an older copy arriving late
      this.#tasks[at] = task;
    } else {
      const last = this.#tasks.at(-1);
      if (this.#nextCursor && last && byUrgency(task, last) > 0) return; // beyond the loaded page: "Load more" brings it
      this.#tasks.push(task);
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
    this.#selected.delete(taskId);
    if (at < this.#cursor || this.#cursor >= this.#tasks.length) this.#cursor -= 1;
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
    (this.#rowOf(this.#tasks[this.#cursor]?.taskId) ?? this.#el.takeNext).focus();
  }

  #move(delta) {
    if (!this.#tasks.length) return;
    this.#cursor = Math.min(Math.max(this.#cursor + delta, 0), this.#tasks.length - 1);
    const row = this.#rowOf(this.#tasks[this.#cursor].taskId);
    row?.focus(); // focusin marks it current
    row?.scrollIntoView({ block: 'nearest' });
  }

  /** Focus (keyboard, Tab or click) makes a row the current one, without rebuilding the table. */
  #markCurrent(taskId) {
    this.#cursor = this.#tasks.findIndex((t) => t.taskId === taskId);
    for (const tr of this.#el.body.rows) {
      const current = tr.dataset.taskId === taskId;
      tr.classList.toggle('current', current);
      if (current) tr.setAttribute('aria-current', 'true');
      else tr.removeAttribute('aria-current');
    }
  }

  #toggle(taskId, on) {
    if (on) this.#selected.add(taskId);
    else this.#selected.delete(taskId);
    this.#render();
  }

  #selectAll(on) {
    this.#selected = on ? new Set(this.#tasks.map((t) => t.taskId)) : new Set();
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
      const why = (p = {}) => `${p.title ?? 'failed'}${p.detail ? ` (${p.detail})` : ''}`;
      out.replaceChildren(h('p', {}, `${results.length - failed.length} approved${failed.length ? `, ${failed.length} failed:` : '.'}`));
      if (failed.length) out.append(h('ul', { class: 'failures' }, failed.map((r) => h('li', {}, `${titles.get(r.taskId) ?? r.taskId}: ${why(r.problem)}`))));
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

  #render() {
    // Rows are rebuilt: put the focus back on the same control of the same task.
    const active = document.activeElement;
    const focused = active?.closest?.('tr[data-task-id]')?.dataset.taskId;
    const part = active?.matches?.('input') ? 'input' : active?.matches?.('a') ? 'a' : null;
    const rowOpts = { me: this.#me, onOpen: this.#onOpen, onToggle: (id, on) => this.#toggle(id, on), onFocus: (id) => this.#markCurrent(id) };
    this.#el.body.replaceChildren(...this.#tasks.map((task, i) => queueRow(task, { ...rowOpts, current: i === this.#cursor, selected: this.#selected.has(task.taskId) })));
    const n = this.#tasks.length;
    this.#el.count.textContent = `${n}${this.#nextCursor ? '+' : ''} task${n === 1 && !this.#nextCursor ? '' : 's'}`;
    this.#el.empty.hidden = n > 0;
    this.#el.more.hidden = !this.#nextCursor;
    this.#el.approve.disabled = this.#selected.size === 0;
    this.#el.approve.textContent = `Approve selected (${this.#selected.size})`;
    this.#el.selectAll.checked = n > 0 && this.#selected.size === n;
    const row = this.#rowOf(focused);
    if (row) (part ? row.querySelector(part) : row).focus();
    else if (focused) this.#rowOf(this.#tasks[this.#cursor]?.taskId)?.focus(); // the focused task left the queue
  }
}
