// The client portal: a client's own people sign in with their token and see the service they get,
// for their clients only (#/client/<client>?process=&period=&runs=<figure>), and the runs behind
// each figure (#/run/<runId>, the inbox's run view: steps and audit trail). Everything is read
// through the API with the token, so a client the token does not serve answers "not found".
import { inbox, session, SESSION_ENDED } from './api.js';
import { $, h } from './dom.js';
import { RunView } from './run.js';
import { Dashboard, thisMonth } from './portal-dashboard.js';
import { clientName, loadClientNames } from './clients.js';

let me;
let dashboard;
let runView;
let lastDashboard = '#/';

function showView(name) {
  for (const id of ['login', 'dashboard', 'run', 'missing']) $(`#${id}-view`).hidden = id !== name;
}

function notFound(text) {
  showView('missing');
  $('#missing-text').textContent = text;
  $('#missing-title').focus();
}

function route() {
  if (!me) return;
  const client = /^#\/client\/([^/?]+)(?:\?(.*))?$/.exec(location.hash);
  const run = /^#\/run\/([^/?]+)(\/audit)?$/.exec(location.hash);
  if (!run) runView.hide();
  if (client) {
    const id = decodeURIComponent(client[1]);
    lastDashboard = location.hash;
    $('#client-switch').value = id;
    showView('dashboard');
    void dashboard.show(id, new URLSearchParams(client[2] ?? '')).then((shown) => {
      if (!shown) notFound(`No client ${id} here: this portal shows ${me.clients.map(clientName).join(', ') || 'no clients'} only.`);
    });
  } else if (run) {
    showView('run');
    void runView.show(decodeURIComponent(run[1]), { section: run[2] ? 'audit' : undefined });
  } else if (me.clients.length) {
    location.replace(`#/client/${encodeURIComponent(me.clients[0])}?period=${thisMonth()}`);
  } else {
    notFound('Your access serves no client yet: ask your service provider.');
  }
}

async function start(person) {
  me = person;
  await loadClientNames();
  $('#operator').hidden = false;
  $('#operator-name').textContent = me.name ?? me.operatorId;
  const select = $('#client-switch');
  select.replaceChildren(...me.clients.map((c) => h('option', { value: c }, clientName(c))));
  $('#client-switch-label').hidden = me.clients.length < 2;
  dashboard = new Dashboard($('#dashboard-view'));
  runView = new RunView($('#run-view'), { backTo: () => lastDashboard, backText: '← Back to the service overview' });
  window.addEventListener('hashchange', route);
  route();
}

async function signIn(event) {
  event.preventDefault();
  const input = $('#login-token');
  const error = $('#login-error');
  const token = input.value.trim();
  error.textContent = '';
  if (!token) return void (error.textContent = 'Paste your access token.');
  try {
    const person = await inbox.me(token);
    session.signIn(token);
    await start(person);
  } catch (problem) {
    error.textContent = problem.status === 401 ? `Sign-in refused: ${problem.detail ?? problem.title}` : `Cannot sign in: ${problem.summary ?? problem}`;
    input.select();
  }
}

function showSignIn(message = '') {
  showView('login');
  $('#operator').hidden = true;
  $('#login-error').textContent = message;
  $('#login-token').focus();
}

async function boot() {
  $('#login-form').addEventListener('submit', signIn);
  $('#sign-out').addEventListener('click', (event) => {
    event.preventDefault();
    session.signOut();
    location.replace('/portal');
  });
  $('#client-switch').addEventListener('change', (event) => {
    location.hash = `#/client/${encodeURIComponent(event.target.value)}?period=${thisMonth()}`;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('#run-view').hidden) location.hash = lastDashboard;
  });
  window.addEventListener(SESSION_ENDED, () => {
    session.signOut();
    location.replace('/portal');
  });
  // A link may hand the token over in the fragment (never sent to a server); keep it, then drop it.
  const handed = new URLSearchParams(location.hash.slice(1)).get('access_token');
  if (handed) {
    session.signIn(handed);
    history.replaceState(null, '', `${location.pathname}#/`);
  }
  if (!session.token) return showSignIn();
  try {
    await start(await inbox.me(session.token));
  } catch (problem) {
    session.signOut();
    showSignIn(problem.status === 401 ? `Sign-in refused: ${problem.detail ?? problem.title}` : `Cannot sign in: ${problem.summary ?? problem}`);
  }
}

void boot();
