// The queue's markup: header, filters, bulk bar, table and one row per task. No state here; the
// queue view owns the tasks and hands in callbacks.
import { due, h } from './dom.js';
import { clientName } from './clients.js';

/** Builds the fixed parts once; returns the elements the view updates. */
export function buildQueueLayout(root, me, { onFilter, onTakeNext, onBulkApprove, onSelectAll, onLoadMore }) {
  let typing;
  const el = {
    title: h('span', {}),
    count: h('span', { class: 'count' }),
    live: h('span', { class: 'live', 'aria-live': 'polite' }),
    takeNext: h('button', { type: 'button', class: 'primary', onclick: onTakeNext, 'aria-keyshortcuts': 'n' }, 'Take next ', h('kbd', {}, 'n')),
    approve: h('button', { type: 'button', onclick: onBulkApprove, disabled: true }, 'Approve selected'),
    bulkResults: h('div', { class: 'bulk-results', 'aria-live': 'polite' }),
    status: h('p', { class: 'muted', role: 'status' }),
    selectAll: h('input', { type: 'checkbox', 'aria-label': 'Select all loaded tasks', onchange: (e) => onSelectAll(e.target.checked) }),
    body: h('tbody', {}),
    empty: h('p', { class: 'empty', hidden: true }, 'No tasks here. New ones appear as they arrive.'),
    more: h('button', { type: 'button', class: 'load-more', hidden: true, onclick: onLoadMore }, 'Load more'),
  };
  const select = (name, options) => h('select', { name }, options.map(([value, text]) => h('option', { value }, text)));
  el.filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter tasks', onchange: onFilter, onsubmit: (e) => e.preventDefault() },
    h('label', {}, 'Client ', select('client', [['', 'All clients'], ...me.clients.map((c) => [c, clientName(c)])])),
    h('label', {}, 'Status ', select('status', [['active', 'Open and claimed'], ['open', 'Open'], ['claimed', 'Claimed']])),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'overdue' }), ' Overdue'),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'mine' }), ' Assigned to me'),
    h(
      'label',
      { class: 'search' },
      'Search ',
      h('input', { type: 'search', name: 'q', placeholder: 'Title or reference', oninput: () => (clearTimeout(typing), (typing = setTimeout(onFilter, 250))) }),
    ),
  );
  const head = ['Priority', 'Task', 'Client', 'Reference', 'Status', 'Due', 'Labels'].map((t) => h('th', { scope: 'col' }, t));
  root.replaceChildren(
    h('div', { class: 'queue-head' }, h('h1', { id: 'queue-title' }, el.title, el.count), el.live, el.takeNext),
    el.filters,
    h('div', { class: 'bulk-bar' }, el.approve, el.bulkResults),
    el.status,
    h('table', { class: 'queue' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'select' }, el.selectAll), head)), el.body),
    el.empty,
    el.more,
  );
  return el;
}

/** The filters as the list route's query string. */
export function filterQuery(form) {
  const f = form.elements;
  return { status: f.status.value, client: f.client.value, overdue: f.overdue.checked ? 'true' : '', assignee: f.mine.checked ? 'me' : '', q: f.q.value.trim() };
}

/** The list route's filters (inbox/task-index.ts `matches`), for tasks that arrive on the stream. */
export function matchesFilters(task, query, me) {
  if (!me.clients.includes(task.client)) return false;
  if (!['open', 'claimed'].includes(task.status) || (query.status !== 'active' && task.status !== query.status)) return false;
  if (query.client && task.client !== query.client) return false;
  if (query.overdue && !due(task.dueAt).overdue) return false;
  if (query.assignee && (task.claim?.operatorId ?? task.assignee) !== me.operatorId) return false;
  const needle = query.q.toLowerCase();
  return !needle || task.title.toLowerCase().includes(needle) || task.businessRef.toLowerCase().includes(needle);
}

function statusText(task, me) {
  const holder = task.claim?.operatorId;
  const who = (id) => (id === me ? 'you' : id);
  if (task.status === 'claimed' && holder) return `Claimed by ${who(holder)}`;
  return task.assignee ? `Open, for ${who(task.assignee)}` : 'Open';
}

/** One row; `onOpen`, `onToggle(taskId, on)` act on it, `onFocus(taskId)` makes it the current row. */
export function queueRow(task, { current, selected, me, onOpen, onToggle, onFocus }) {
  const when = due(task.dueAt);
  const classes = [current ? 'current' : '', when.overdue ? 'overdue' : ''].filter(Boolean).join(' ');
  return h(
    'tr',
    { 'data-task-id': task.taskId, tabindex: -1, class: classes || null, 'aria-current': current ? 'true' : null, ondblclick: () => onOpen(task.taskId), onfocusin: () => onFocus(task.taskId) },
    h('td', { class: 'select' }, h('input', { type: 'checkbox', 'aria-label': `Select ${task.title}`, checked: selected, onchange: (e) => onToggle(task.taskId, e.target.checked) })),
    h('td', {}, h('span', { class: `prio p${task.priority}`, title: `Priority ${task.priority} (1 is most urgent)` }, `P${task.priority}`)),
    h('td', {}, h('a', { href: `#/task/${encodeURIComponent(task.taskId)}`, class: 'task-link' }, task.title)),
    h('td', {}, clientName(task.client)),
    h('td', { class: 'mono' }, task.businessRef),
    h('td', { class: `status s-${task.status}` }, statusText(task, me.operatorId)),
    h('td', { class: when.overdue ? 'due overdue' : 'due' }, when.overdue ? h('strong', {}, when.text) : when.text),
    h('td', {}, (task.labels ?? []).map((l) => h('span', { class: 'label' }, l))),
  );
}
