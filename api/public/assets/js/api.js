// The inbox's only way to the server: the operator's identity on every call, problem+json errors
// as exceptions, the team's live event stream, and artifacts as blob URLs.

const OPERATOR_KEY = 'tandem.operator';
const TEAM_KEY = 'tandem.team';

/** Until real authentication exists the operator id lives in this tab's sessionStorage. */
export const session = {
  get operator() {
    return sessionStorage.getItem(OPERATOR_KEY);
  },
  get team() {
    return sessionStorage.getItem(TEAM_KEY);
  },
  signIn(operatorId) {
    sessionStorage.setItem(OPERATOR_KEY, operatorId);
  },
  chooseTeam(team) {
    sessionStorage.setItem(TEAM_KEY, team);
  },
  signOut() {
    sessionStorage.removeItem(OPERATOR_KEY);
    sessionStorage.removeItem(TEAM_KEY);
  },
};

/** An application/problem+json reply (or a network failure, status 0) as an Error. */
export class Problem extends Error {
  constructor(status, body = {}) {
    super(body.title || `Request failed (${status})`);
    this.status = status;
    this.type = body.type ?? 'about:blank';
    this.title = this.message;
    this.detail = body.detail;
    this.body = body;
    /** [{ field, message }]: `errors` when the server listed them, else the single `field`. */
    this.errors = Array.isArray(body.errors) ? body.errors : body.field ? [{ field: body.field, message: body.detail ?? this.message }] : [];
  }

  /** Short text for a banner: "Task already completed: decided by ana.lima". */
  get summary() {
    return this.detail ? `${this.title}: ${this.detail}` : this.title;
  }
}

function headers(extra = {}, operator = session.operator) {
  return { accept: 'application/json, application/problem+json', ...(operator ? { 'x-operator-id': operator } : {}), ...extra };
}

async function call(method, path, body, operator) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }, operator),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new Problem(0, { title: 'The server cannot be reached', detail: String(err?.message ?? err) });
  }
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = { title: text.slice(0, 200) };
  }
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}

const enc = encodeURIComponent;

export const inbox = {
  me: (operatorId) => call('GET', '/me', undefined, operatorId),
  /** query: { status, client, overdue, assignee, q, cursor, limit } (empty values are left out). */
  teamTasks(team, query = {}) {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
    return call('GET', `/teams/${enc(team)}/tasks?${params}`);
  },
  takeNext: (team) => call('POST', `/teams/${enc(team)}/take-next`, {}),
  task: (taskId) => call('GET', `/tasks/${enc(taskId)}`),
  claim: (taskId) => call('POST', `/tasks/${enc(taskId)}/claim`, {}),
  renew: (taskId, leaseId) => call('POST', `/tasks/${enc(taskId)}/renew`, { leaseId }),
  release: (taskId, leaseId) => call('POST', `/tasks/${enc(taskId)}/release`, leaseId ? { leaseId } : {}),
  comment: (taskId, text) => call('POST', `/tasks/${enc(taskId)}/comments`, { text }),
  labels: (taskId, change) => call('POST', `/tasks/${enc(taskId)}/labels`, change),
  complete: (taskId, action, data, leaseId) => call('POST', `/tasks/${enc(taskId)}/complete`, { action, data, ...(leaseId ? { leaseId } : {}) }),
  bulkComplete: (taskIds, action, data = {}) => call('POST', '/tasks/bulk-complete', { taskIds, action, data }),
};

/** Fetches an artifact (e.g. "<runId>/claim.png") with the operator header; returns a blob: URL to revoke later. */
export async function artifactUrl(key) {
  const path = `/artifacts/${String(key).split('/').map(enc).join('/')}`;
  const res = await fetch(path, { headers: headers({ accept: '*/*' }) });
  if (!res.ok) throw new Problem(res.status, await res.json().catch(() => ({})));
  return URL.createObjectURL(await res.blob());
}

/**
 * The team's live changes. EventSource cannot send headers, so this one route takes the operator
 * as a query parameter. `onState('live', { reconnected })` fires on every `ready`: after a
 * reconnect the caller reloads, since events sent while the stream was down are not replayed.
 */
export function teamEvents(team, { onEvent, onState }) {
  const source = new EventSource(`/teams/${enc(team)}/events?operator=${enc(session.operator ?? '')}`);
  let connectedBefore = false;
  source.addEventListener('ready', () => {
    onState('live', { reconnected: connectedBefore });
    connectedBefore = true;
  });
  source.addEventListener('task', (event) => {
    try {
      onEvent(JSON.parse(event.data));
    } catch (err) {
      console.warn('ignored a malformed task event', err);
    }
  });
  source.addEventListener('error', () => onState(source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting'));
  return () => source.close();
}
