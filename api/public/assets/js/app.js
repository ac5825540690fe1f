// The inbox page: sign-in, the header (operator, teams, views), the views (#/queue, #/task/<id>,
// #/runs, #/run/<id>) and the keyboard shortcuts that work across them.
import { inbox, session, SESSION_ENDED } from './api.js';
import { $, h, typingIn } from './dom.js';
import { loadJsonEditor } from './forms.js';
import { QueueView } from './queue.js';
import { TaskView } from './task.js';
import { RunsView } from './runs.js';
import { RunView } from './run.js';
import { PlatformStatus } from './platform-status.js';
import { loadClientNames } from './clients.js';

let me;
let queue;
let taskView;
let runsView;
let runView;
let view = 'login';
let toastTimer;

function toast(text, kind = 'info') {
  const el = $('#toast');
  el.textContent = text;
  el.dataset.kind = kind;
  el.classList.add('shown');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('shown'), 8000);
}

function showView(name) {
  view = name;
  for (const id of ['login', 'queue', 'task', 'runs', 'run']) $(`#${id}-view`).hidden = id !== name;
  for (const link of document.querySelectorAll('#views a')) {
    const current = link.dataset.view === (name === 'run' ? 'runs' : name === 'task' ? 'queue' : name);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  if (!me) return;
  const match = /^#\/task\/([^?]+)(?:\?action=([\w-]+))?$/.exec(location.hash);
  const runs = /^#\/runs(?:\?(.*))?$/.exec(location.hash);
  const run = /^#\/run\/([^/?]+)(\/audit)?$/.exec(location.hash);
  if (!match) taskView.hide();
  if (!run) runView.hide();
  if (match) {
    showView('task');
    void taskView.show(decodeURIComponent(match[1]), { action: match[2] });
  } else if (runs) {
    showView('runs');
    void runsView.show(new URLSearchParams(runs[1] ?? '')).then(() => runsView.focus());
  } else if (run) {
    showView('run');
    void runView.show(decodeURIComponent(run[1]), { section: run[2] ? 'audit' : undefined });
  } else {
    const wasQueue = view === 'queue';
    showView('queue');
    if (!wasQueue) queue.focus();
  }
}

async function takeNext() {
  try {
    const { task } = await inbox.takeNext(currentTeam());
    if (task) go(`#/task/${encodeURIComponent(task.taskId)}`);
    else toast('The queue is empty: nothing to take.');
  } catch (problem) {
    toast(`Take next failed: ${problem.summary ?? problem}`, 'error');
  }
}

function currentTeam() {
  return me.teams.includes(session.team) ? session.team : me.teams[0];
}

function renderOperator() {
  $('#operator').hidden = false;
  $('#views').hidden = false;
  $('#keys').hidden = false;
  $('#operator-name').textContent = me.name ?? me.operatorId;
  $('#operator-teams').textContent = me.teams.join(', ');
  const select = $('#team-switch');
  select.replaceChildren(...me.teams.map((t) => h('option', { value: t, selected: t === currentTeam() }, t)));
  $('#team-switch-label').hidden = me.teams.length < 2;
}

async function start(operator) {
  me = operator;
  await loadClientNames();
  renderOperator();
  queue = new QueueView($('#queue-view'), {
    me,
    onOpen: (taskId, action) => go(`#/task/${encodeURIComponent(taskId)}${action ? `?action=${action}` : ''}`),
    onTakeNext: () => void takeNext(),
    onEvent: (event) => taskView.applyEvent(event),
  });
  taskView = new TaskView($('#task-view'), {
    me,
    onDone: (task, action, result) => {
      queue.forget(task.taskId);
      toast(`Done: ${action} recorded for ${task.businessRef}${result.replayed ? ' (already recorded)' : ''}.`, 'success');
      go('#/queue');
    },
  });
  runsView = new RunsView($('#runs-view'), { me });
  runView = new RunView($('#run-view'), { backTo: () => runsView.address() });
  window.addEventListener('hashchange', route);
  // The banner and disabled actions while Temporal or Redis is away; the queue reloads when all is back.
  new PlatformStatus({
    onRecovered: () => {
      toast('Tandem is back: actions are enabled again.', 'success');
      void queue.setTeam(currentTeam());
    },
  });
  // Route before the queue has loaded: the views are clickable from here, and a second route()
  // after the load would reset a view the operator already opened (and its filters) behind them.
  route();
  await queue.setTeam(currentTeam());
  if (view === 'queue' && !typingIn(document.activeElement)) queue.focus(); // the first row, now there are rows
  // Fetch the form editor while the operator reads the queue, so the first task opens at once.
  setTimeout(() => void loadJsonEditor().catch(() => {}), 500);
}

async function signIn(event) {
  event.preventDefault();
  const input = $('#login-token');
  const error = $('#login-error');
  const token = input.value.trim();
  error.textContent = '';
  if (!token) return void (error.textContent = 'Paste your access token.');
  try {
    const operator = await inbox.me(token);
    session.signIn(token);
    await start(operator);
  } catch (problem) {
    error.textContent = problem.status === 401 ? `Sign-in refused: ${problem.detail ?? problem.title}` : `Cannot sign in: ${problem.summary ?? problem}`;
    input.select();
  }
}

/** A link may hand the token over in the fragment (never sent to a server); keep it, then drop it from the address bar. */
function tokenFromFragment() {
  const token = new URLSearchParams(location.hash.slice(1)).get('access_token');
  if (!token) return;
  session.signIn(token);
  history.replaceState(null, '', `${location.pathname}#/queue`);
}

function showSignIn(message = '') {
  showView('login');
  $('#operator').hidden = true;
  $('#views').hidden = true;
  $('#login-error').textContent = message;
  $('#login-token').focus();
}

function onKey(event) {
  if (!me || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === 'Escape') {
    if (typingIn(event.target)) return event.target.blur();
    if (view === 'task') go('#/queue');
    else if (view === 'run') go(runsView.address());
    return;
  }
  if (typingIn(event.target)) return;
  // Enter on a link or button does what it says; the shortcuts own Enter only on a row.
  if (event.key === 'Enter' && event.target.closest?.('a, button, summary')) return;
  let used = true;
  if (event.key === 'n') void takeNext();
  else if (view === 'queue') used = queue.handleKey(event.key);
  else if (view === 'task') used = taskView.handleKey(event.key);
  if (used) event.preventDefault();
}

async function boot() {
  $('#login-form').addEventListener('submit', signIn);
  $('#sign-out').addEventListener('click', (event) => {
    event.preventDefault();
    session.signOut();
    location.replace('/inbox'); // a fresh page: no stream, timers or task left from the operator
  });
  $('#team-switch').addEventListener('change', (event) => {
    session.chooseTeam(event.target.value);
    void queue.setTeam(event.target.value);
    go('#/queue');
  });
  document.addEventListener('keydown', onKey);
  // The server stopped accepting the token (expired, revoked): start over from a clean page.
  window.addEventListener(SESSION_ENDED, () => {
    session.signOut();
    sessionStorage.setItem('tandem.ended', '1');
    location.replace('/inbox');
  });
  tokenFromFragment();
  const ended = sessionStorage.getItem('tandem.ended');
  sessionStorage.removeItem('tandem.ended');
  if (session.token) {
    try {
      return await start(await inbox.me(session.token));
    } catch (problem) {
      session.signOut();
      return showSignIn(problem.status === 401 ? `Sign-in refused: ${problem.detail ?? problem.title}` : `Cannot sign in: ${problem.summary ?? problem}`);
    }
  }
  showSignIn(ended ? 'Your session ended (the token expired or was revoked). Sign in again.' : '');
}

void boot();
