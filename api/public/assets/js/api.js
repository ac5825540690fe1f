// The inbox's only way to the server: the operator's bearer token on every call, problem+json
// errors as exceptions, the team's live event stream, and artifacts as blob URLs.

const TOKEN_KEY = 'tandem.token';
const TEAM_KEY = 'tandem.team';

/**
 * The operator's access token, kept in this tab's sessionStorage (gone when the tab closes). It
 * comes from the identity provider; the sign-in form takes it pasted, or a link hands it over in
 * the URL fragment (`/inbox#access_token=…`), which never reaches a server log.
 */
export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  get team() {
    return sessionStorage.getItem(TEAM_KEY);
  },
  signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  chooseTeam(team) {
    sessionStorage.setItem(TEAM_KEY, team);
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(TEAM_KEY);
  },
};

/** Fired on window when the server stops accepting the token (expired, revoked). */
export const SESSION_ENDED = 'tandem:session-ended';

/** Fired on window when a call is answered 503 because Temporal or Redis is away (detail: the problem). */
export const DEPENDENCY_UNAVAILABLE = 'tandem:dependency-unavailable';

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

function headers(extra = {}, token = session.token) {
  return { accept: 'application/json, application/problem+json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function call(method, path, body, token) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }, token),
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
  if (res.status === 401 && token === undefined) window.dispatchEvent(new CustomEvent(SESSION_ENDED, { detail: data }));
  if (res.status === 503 && data?.dependency) window.dispatchEvent(new CustomEvent(DEPENDENCY_UNAVAILABLE, { detail: data }));
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}

const enc = encodeURIComponent;

/** A query string from an object, leaving out empty values. */
function queryString(query) {
  return new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

/** /health/ready's answer, ready or not: `dependencies` says which is away and since when. */
export async function platformHealth() {
  const res = await fetch('/health/ready', { headers: { accept: 'application/json, application/problem+json' } });
  return res.json();
}

export const inbox = {
  /** Who the token belongs to; `token` defaults to the session's. */
  me: (token) => call('GET', '/me', undefined, token),
  /** query: { status, client, overdue, assignee, q, cursor, limit } (empty values are left out). */
  teamTasks: (team, query = {}) => call('GET', `/teams/${enc(team)}/tasks?${queryString(query)}`),
  takeNext: (team) => call('POST', `/teams/${enc(team)}/take-next`, {}),
  task: (taskId) => call('GET', `/tasks/${enc(taskId)}`),
  claim: (taskId) => call('POST', `/tasks/${enc(taskId)}/claim`, {}),
  renew: (taskId, leaseId) => call('POST', `/tasks/${enc(taskId)}/renew`, { leaseId }),
  release: (taskId, leaseId) => call('POST', `/tasks/${enc(taskId)}/release`, leaseId ? { leaseId } : {}),
  comment: (taskId, text) => call('POST', `/tasks/${enc(taskId)}/comments`, { text }),
  labels: (taskId, change) => call('POST', `/tasks/${enc(taskId)}/labels`, change),
  complete: (taskId, action, data, leaseId) => call('POST', `/tasks/${enc(taskId)}/complete`, { action, data, ...(leaseId ? { leaseId } : {}) }),
  /** Starts an attended bot; answers at once with `{ attendedRunId, status, url }`. */
  triggerBot: (taskId, bot) => call('POST', `/tasks/${enc(taskId)}/bots`, { bot }),
  /** One attended run, by the link the trigger answered. */
  attendedRun: (url) => call('GET', url),
  bulkComplete: (taskIds, action, data = {}) => call('POST', '/tasks/bulk-complete', { taskIds, action, data }),
  processes: () => call('GET', '/processes'),
  /** The caller's clients: `{ clients: [{ id, name, timeZone }] }`. */
  clients: () => call('GET', '/clients'),
  /** query: { process, client, status, businessRef, startedAfter, startedBefore, cursor, limit }: newest first. */
  runs: (query = {}) => call('GET', `/runs?${queryString(query)}`),
  run: (runId) => call('GET', `/runs/${enc(runId)}`),
  runAudit: (runId) => call('GET', `/runs/${enc(runId)}/audit`),
};

/** Fetches an artifact (e.g. "<runId>/claim.png") with the token (an <img src> could not send it); returns a blob: URL to revoke later. */
export async function artifactUrl(key) {
  const path = `/artifacts/${String(key).split('/').map(enc).join('/')}`;
  const res = await fetch(path, { headers: headers({ accept: '*/*' }) });
  if (!res.ok) throw new Problem(res.status, await res.json().catch(() => ({})));
  return URL.createObjectURL(await res.blob());
}

/**
 * The team's live changes. EventSource cannot send headers, so this one route takes the token as
 * a query parameter. `onState('live', { reconnected })` fires on every `ready`: after a
 * reconnect the caller reloads, since events sent while the stream was down are not replayed.
 */
export function teamEvents(team, { onEvent, onState }) {
  const source = new EventSource(`/teams/${enc(team)}/events?access_token=${enc(session.token ?? '')}`);
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

/** A client's oversight (service levels, a period's report and the runs behind its figures). */
export const oversight = {
  serviceLevels: (client) => call('GET', `/clients/${enc(client)}/service-levels`),
  /** period: `2026-11` or `2026-W48`; the KPIs of that period, with a series one step finer. */
  report: (client, period, process) => call('GET', `/clients/${enc(client)}/reports/${enc(period)}?${queryString({ process })}`),
  runs: (client, period, query = {}) => call('GET', `/clients/${enc(client)}/reports/${enc(period)}/runs?${queryString(query)}`),
};

/** Downloads an API resource with the token (a plain link could not send it) under `filename`. */
export async function download(path, filename) {
  const res = await fetch(path, { headers: headers({ accept: '*/*' }) });
  if (!res.ok) throw new Problem(res.status, await res.json().catch(() => ({})));
  const url = URL.createObjectURL(await res.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
