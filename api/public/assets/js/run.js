// One run: its state, what it waits on, its steps and open tasks (GET /runs/{id}), and its audit
// trail (GET /runs/{id}/audit): who did what, when, read from the run's history.
import { inbox } from './api.js';
import { dateTime, duration, h, humanize } from './dom.js';
import { runState } from './runs.js';
import { clientName } from './clients.js';

/** The run's steps as a panel (also on a task's page); null when there are none. */
export function stepsPanel(steps = []) {
  if (!steps.length) return null;
  const item = (s) => {
    const text = s.endedAt ? `${s.result ?? 'done'} · ${duration(Date.parse(s.endedAt) - Date.parse(s.startedAt))}` : `in progress since ${dateTime(s.startedAt)}`;
    return h('li', { class: s.endedAt ? null : 'current-step' }, h('span', { class: 'mono' }, s.step), ` · ${text}${s.note ? ` (${s.note})` : ''}`);
  };
  return h('section', { class: 'panel', 'aria-labelledby': 'steps-title' }, h('h2', { id: 'steps-title' }, 'Run steps'), h('ol', { class: 'steps' }, steps.map(item)));
}

function waitingText(on) {
  if (!on) return null;
  const since = `since ${dateTime(on.since)}`;
  if (on.kind === 'human') return `Waiting on ${on.assignee ?? `team ${on.team}`} (task ${on.taskId}) ${since}`;
  if (on.kind === 'bot') return `Waiting on the bot step ${on.bot} ${since}`;
  if (on.kind === 'batch') return `Waiting on batch ${on.batchId} ${since}`;
  return `Waiting until ${dateTime(on.until)}`;
}

const actorText = (actor) => actor?.operatorId ?? 'system';
/** To the second: an audit trail's entries are often a few seconds apart. */
const exactly = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
/** "Complete (approve)": the decision's action beside the Update that carried it. */
const actionText = (e) => `${humanize(e.action)}${typeof e.detail?.action === 'string' ? ` (${e.detail.action})` : ''}`;

function auditPanel(result) {
  const title = h('h2', { id: 'audit-title', tabindex: -1 }, 'Audit trail');
  if (result.status === 'rejected') {
    const why = result.reason?.status === 403 ? 'Your role may not read audit trails.' : `Could not read the audit trail: ${result.reason?.summary ?? result.reason}`;
    return h('section', { class: 'panel', 'aria-labelledby': 'audit-title' }, title, h('p', { class: 'muted' }, why));
  }
  const head = ['When', 'Who', 'What', 'Task', 'Outcome'].map((t) => h('th', { scope: 'col' }, t));
  const rows = result.value.entries.map((e) =>
    h('tr', {}, h('td', {}, exactly(e.at)), h('td', {}, actorText(e.actor)), h('td', {}, actionText(e)), h('td', { class: 'mono' }, e.taskId ?? '—'), h('td', {}, e.outcome)),
  );
  return h('section', { class: 'panel', 'aria-labelledby': 'audit-title' }, title, h('table', { class: 'audit' }, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
}

export class RunView {
  #root;
  #seq = 0;
  #backTo;
  #backText;

  /** backTo() gives the address of the list to go back to (with its filters). */
  constructor(root, { backTo, backText = '← Back to runs' }) {
    this.#root = root;
    this.#backTo = backTo;
    this.#backText = backText;
  }

  async show(runId, { section } = {}) {
    const seq = ++this.#seq;
    this.#root.replaceChildren(this.#crumbs(), h('p', { class: 'muted', role: 'status' }, 'Loading run…'));
    const [run, audit] = await Promise.allSettled([inbox.run(runId), inbox.runAudit(runId)]);
    if (seq !== this.#seq) return; // the operator moved on meanwhile
    if (run.status === 'rejected') {
      this.#root.replaceChildren(this.#crumbs(), h('p', { class: 'error', role: 'alert' }, `Could not open the run: ${run.reason?.summary ?? run.reason}`));
      return;
    }
    const detail = run.value;
    const meta = [
      h('span', { class: `badge s-${detail.status}` }, runState({ ...detail, phase: detail.phase })),
      detail.client ? clientName(detail.client) : null,
      `started ${dateTime(detail.startedAt)}`,
      detail.closedAt ? `closed ${dateTime(detail.closedAt)}` : null,
      h('span', { class: 'mono' }, detail.runId),
    ].filter(Boolean);
    const tasks = detail.openTasks.length
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'run-tasks-title' },
          h('h2', { id: 'run-tasks-title' }, 'Open tasks'),
          h('ul', {}, detail.openTasks.map((t) => h('li', {}, h('a', { href: `#/task/${encodeURIComponent(t.taskId)}` }, t.title), ` · ${t.team} · ${humanize(t.status)}`))),
        )
      : null;
    const title = h('h1', { id: 'run-title', tabindex: -1 }, `${detail.process} · ${detail.businessRef ?? detail.runId}`);
    this.#root.replaceChildren(
      this.#crumbs(),
      h('header', { class: 'task-head' }, title, h('p', { class: 'meta' }, meta.map((m) => h('span', { class: 'meta-item' }, m))), waitingText(detail.waitingOn) && h('p', { class: 'note' }, waitingText(detail.waitingOn))),
      h('div', { class: 'task-grid' }, h('div', { class: 'col-main' }, auditPanel(audit)), h('div', { class: 'col-side' }, stepsPanel(detail.steps) ?? h('p', { class: 'muted' }, 'No steps yet.'), tasks)),
    );
    const target = section === 'audit' ? this.#root.querySelector('#audit-title') : title;
    target.focus();
    target.scrollIntoView({ block: 'start' });
  }

  hide() {
    this.#seq += 1;
  }

  #crumbs() {
    return h('nav', { class: 'crumbs' }, h('a', { href: this.#backTo() }, this.#backText), ' ', h('kbd', {}, 'Esc'));
  }
}
