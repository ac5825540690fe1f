// One task: its header and claim (the lease is renewed while the page is open), the context and
// screenshot, the decision panel, comments, labels and the run's steps.
import { inbox } from './api.js';
import { renderContext, renderScreenshot, screenshotKey } from './context.js';
import { dateTime, due, duration, h, humanize } from './dom.js';
import { DecisionPanel } from './forms.js';
import { clientName } from './clients.js';
import { renderComments, renderLabels } from './notes.js';
import { stepsPanel } from './run.js';
import { followRun, mergeRuns, renderBots } from './bots.js';

export class TaskView {
  #root;
  #me;
  #onDone;
  #task;
  #detail;
  #panel;
  #release = () => {};
  #leaseTimer;
  #ticker;
  #seq = 0;
  #el = {};
  /** Bots whose trigger is on its way (the button is disabled from the click on). */
  #botsPending = new Set();

  /** onDone(task, action, result) runs once a decision is recorded. */
  constructor(root, { me, onDone }) {
    this.#root = root;
    this.#me = me;
    this.#onDone = onDone;
  }

  get taskId() {
    return this.#task?.taskId;
  }

  async show(taskId, { action } = {}) {
    this.hide();
    const seq = this.#seq;
    this.#root.replaceChildren(this.#backLink(), h('p', { class: 'muted', role: 'status' }, 'Loading task…'));
    let detail;
    try {
      detail = await inbox.task(taskId);
    } catch (problem) {
      if (seq === this.#seq) this.#root.replaceChildren(this.#backLink(), h('p', { class: 'error', role: 'alert' }, `Could not open the task: ${problem.summary ?? problem}`));
      return;
    }
    if (seq !== this.#seq) return; // the operator moved on meanwhile
    this.#detail = detail;
    this.#task = detail;
    this.#render();
    this.#keepLease();
    this.#ticker = setInterval(() => this.#renderLeaseLeft(), 1000);
    if (action && this.#panel.has(action)) await this.#panel.choose(action);
    else {
      if (action) this.#note(`This task has no “${humanize(action)}” action.`);
      this.#el.title.focus();
    }
  }

  hide() {
    this.#seq += 1;
    clearTimeout(this.#leaseTimer);
    clearInterval(this.#ticker);
    this.#release();
    this.#release = () => {};
    this.#panel?.destroy();
    this.#panel = undefined;
    this.#task = undefined;
    this.#botsPending = new Set();
  }

  handleKey(key) {
    if (key !== 'a' || !this.#panel) return false;
    if (this.#panel.has('approve')) void this.#panel.choose('approve');
    else this.#note('This task has no “Approve” action.');
    return true;
  }

  /** The team's stream says something happened to this task elsewhere. */
  applyEvent(event) {
    if (!this.#task || event.taskId !== this.#task.taskId) return;
    if (event.type === 'removed' || ['completed', 'cancelled'].includes(event.task?.status)) {
      const who = event.task?.decision?.decidedBy?.operatorId;
      this.#note(`This task was ${event.reason ?? event.task?.status ?? 'removed'}${who ? ` by ${who}` : ''}; it has left the queue.`);
    } else if (event.task) this.#update(event.task);
  }

  #backLink() {
    return h('nav', { class: 'crumbs' }, h('a', { href: '#/queue' }, '← Back to queue'), ' ', h('kbd', {}, 'Esc'));
  }

  #render() {
    const task = this.#task;
    const when = due(task.dueAt);
    const holder = task.claim?.operatorId;
    const claimedByOther = task.status === 'claimed' && holder && holder !== this.#me.operatorId;
    const closed = ['completed', 'cancelled'].includes(task.status);
    this.#panel = new DecisionPanel({
      actions: closed ? [] : task.actions,
      forms: this.#detail.form?.actions,
      prefill: this.#detail.form?.prefill,
      context: task.context,
      disabledReason: claimedByOther ? `${holder} is working on this task; you can decide once they release it.` : null,
      onSubmit: async (action, data) => {
        const result = await inbox.complete(task.taskId, action, data, this.#myLease());
        this.hide();
        this.#onDone(task, action, result);
      },
    });
    this.#el = {
      title: h('h1', { id: 'task-title', tabindex: -1 }, task.title),
      claim: h('div', { class: 'claim-bar' }),
      note: h('div', { class: 'note-area', role: 'alert' }),
      comments: h('div', {}),
      labels: h('div', {}),
      bots: h('section', { class: 'panel bots', 'aria-labelledby': 'bots-title', 'aria-live': 'polite' }),
    };
    const shot = screenshotKey(task.context);
    const screenshot = shot ? renderScreenshot(shot, `What the bot saw in ${clientName(task.client)}’s system`) : null;
    this.#release = screenshot?.release ?? (() => {});
    const meta = [
      h('span', { class: `badge s-${task.status}` }, humanize(task.status)),
      h('span', { class: `prio p${task.priority}` }, `P${task.priority}`),
      clientName(task.client),
      h('span', { class: 'mono' }, task.businessRef),
      h('span', { class: when.overdue ? 'overdue' : '' }, task.dueAt ? `due ${when.text}` : 'no due time'),
      `opened ${dateTime(task.createdAt)}`,
    ];
    this.#root.replaceChildren(
      this.#backLink(),
      h('header', { class: 'task-head' }, this.#el.title, h('p', { class: 'meta' }, meta.map((m) => h('span', { class: 'meta-item' }, m))), this.#el.claim, this.#el.note),
      h(
        'div',
        { class: 'task-grid' },
        h('div', { class: 'col-main' }, h('section', { class: 'panel', 'aria-labelledby': 'details-title' }, h('h2', { id: 'details-title' }, 'Details'), renderContext(task.context)), this.#el.bots, this.#decisionOrOutcome()),
        h(
          'div',
          { class: 'col-side' },
          screenshot ? h('section', { class: 'panel', 'aria-label': 'Screenshot' }, h('h2', {}, 'Screenshot'), screenshot.figure) : null,
          stepsPanel(this.#detail.run?.steps),
          h('section', { class: 'panel', 'aria-labelledby': 'comments-title' }, h('h2', { id: 'comments-title' }, 'Comments'), this.#el.comments),
          h('section', { class: 'panel', 'aria-labelledby': 'labels-title' }, h('h2', { id: 'labels-title' }, 'Labels'), this.#el.labels),
          this.#history(),
        ),
      ),
    );
    this.#renderClaim();
    this.#renderNotes();
    this.#renderBots();
  }

  #renderBots() {
    const task = this.#task;
    const holder = task.claim?.operatorId ?? task.assignee;
    const heldByOther = holder && holder !== this.#me.operatorId && !this.#me.roles?.includes('supervisor');
    renderBots(this.#el.bots, task, {
      pending: this.#botsPending,
      disabledReason: heldByOther ? `${holder} is working on this task.` : null,
      onTrigger: (bot) => void this.#triggerBot(bot),
    });
  }

  /** Starts the bot (the reply comes at once), then follows its run until it is done or failed. */
  async #triggerBot(bot) {
    const taskId = this.#task.taskId;
    const stillHere = () => this.#task?.taskId === taskId;
    this.#botsPending.add(bot);
    this.#renderBots();
    try {
      const started = await inbox.triggerBot(taskId, bot);
      if (!stillHere()) return;
      this.#botsPending.delete(bot);
      this.#mergeRun({ attendedRunId: started.attendedRunId, taskId, bot, status: started.status, requestedBy: this.#me.operatorId, queuedAt: new Date().toISOString(), steps: [] });
      await followRun(started.url, (run) => this.#mergeRun(run), { stillWanted: stillHere });
    } catch (problem) {
      if (!stillHere()) return;
      this.#botsPending.delete(bot);
      this.#renderBots();
      this.#note(`${humanize(bot)} could not start: ${problem.summary ?? problem}`);
    }
  }

  #mergeRun(run) {
    this.#task = { ...this.#task, attendedRuns: mergeRuns(this.#task.attendedRuns, [run]) };
    this.#renderBots();
  }

  #decisionOrOutcome() {
    const d = this.#task.decision;
    if (!d) return this.#panel.element;
    return h('section', { class: 'panel' }, h('h2', {}, 'Decision'), h('p', {}, `${humanize(d.action)} by ${d.decidedBy.operatorId}, ${dateTime(d.decidedAt)}.`));
  }

  #history() {
    const events = this.#task.events ?? [];
    if (!events.length) return null;
    const rows = events.map((e) => h('li', {}, `${dateTime(e.at)} · ${e.event} by ${e.by}${e.note ? ` (${e.note})` : ''}`));
    return h('details', { class: 'panel history' }, h('summary', {}, `History (${events.length})`), h('ul', {}, rows));
  }

  #myLease() {
    const claim = this.#task?.claim;
    return claim && claim.operatorId === this.#me.operatorId ? claim.leaseId : undefined;
  }

  #renderClaim() {
    const task = this.#task;
    const claim = task.claim;
    const act = (text, fn) => h('button', { type: 'button', onclick: () => void this.#act(fn) }, text);
    let content;
    if (task.decision) content = [`Decided by ${task.decision.decidedBy.operatorId}`];
    else if (task.status === 'claimed' && claim?.operatorId === this.#me.operatorId)
      content = [h('span', {}, 'Claimed by you · '), h('span', { class: 'lease-left', 'aria-live': 'off' }), act('Release', () => inbox.release(task.taskId, claim.leaseId))];
    else if (task.status === 'claimed' && claim) content = [`Claimed by ${claim.operatorId} until ${dateTime(claim.until)}`];
    else if (task.status === 'open') content = [task.assignee ? `Open, assigned to ${task.assignee} · ` : 'Open, nobody is on it · ', act('Claim', () => inbox.claim(task.taskId))];
    else content = [humanize(task.status)];
    this.#el.claim.replaceChildren(...content);
    this.#renderLeaseLeft();
  }

  #renderLeaseLeft() {
    const left = this.#el.claim?.querySelector('.lease-left');
    const until = this.#task?.claim?.until;
    if (left && until) left.textContent = `lease ${duration(Date.parse(until) - Date.now())} left `;
  }

  /** Renews the claim well before it lapses, for as long as the task stays open on this page. */
  #keepLease() {
    clearTimeout(this.#leaseTimer);
    const claim = this.#task?.claim;
    if (this.#task?.status !== 'claimed' || claim?.operatorId !== this.#me.operatorId) return;
    const until = Date.parse(claim.until);
    const margin = Math.max(5000, (until - Date.parse(claim.claimedAt)) / 3);
    const taskId = this.#task.taskId;
    this.#leaseTimer = setTimeout(async () => {
      try {
        const renewed = await inbox.renew(taskId, claim.leaseId);
        if (this.#task?.taskId === taskId) this.#update(renewed);
      } catch (problem) {
        if (this.#task?.taskId !== taskId) return;
        this.#note(`Your claim lapsed (${problem.title ?? problem}); another operator may take this task.`);
        await this.#act(() => inbox.task(taskId));
      }
    }, Math.max(1000, until - Date.now() - margin));
  }

  /** Runs a call that answers with the task, then shows the task as it now is. */
  async #act(call) {
    try {
      this.#update(await call());
    } catch (problem) {
      this.#note(problem.summary ?? String(problem));
    }
  }

  #update(task) {
    if (!this.#task || task.taskId !== this.#task.taskId || (task.version ?? 0) < (this.#task.version ?? 0)) return;
    this.#task = { ...this.#task, ...task, attendedRuns: mergeRuns(this.#task.attendedRuns, task.attendedRuns) };
    this.#renderClaim();
    this.#renderNotes();
    this.#renderBots();
    this.#keepLease();
  }

  #renderNotes() {
    const act = (call) => this.#act(call);
    renderComments(this.#el.comments, this.#task, act);
    renderLabels(this.#el.labels, this.#task, act);
  }

  #note(text) {
    this.#el.note?.replaceChildren(h('p', { class: 'note' }, text));
  }
}
