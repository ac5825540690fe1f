// Attended bots on a task: a button per bot the task offers. Pressing it answers at once (the bot
// runs on the bot workers); the panel then follows the run — queued, running with the bot's own
// steps, done with what it read, or failed with why and the evidence — from the run's link and
// from the team's live stream, and the button stays disabled while the bot is at work.
import { artifactUrl, inbox } from './api.js';
import { dateTime, definitionList, h, humanize } from './dom.js';

const ACTIVE = ['queued', 'running'];
const RANK = { queued: 0, running: 1, done: 2, failed: 2 };

/** The later of two copies of the task's attended runs (the stream and the run's link race). */
export function mergeRuns(mine = [], theirs = []) {
  const byId = new Map(mine.map((r) => [r.attendedRunId, r]));
  for (const run of theirs) {
    const known = byId.get(run.attendedRunId);
    const newer = !known || RANK[run.status] > RANK[known.status] || (RANK[run.status] === RANK[known.status] && (run.steps?.length ?? 0) >= (known.steps?.length ?? 0));
    byId.set(run.attendedRunId, newer ? { ...known, ...run, result: run.result ?? known?.result } : known);
  }
  return [...byId.values()];
}

export const latestRun = (task, bot) => (task.attendedRuns ?? []).filter((r) => r.bot === bot).at(-1);
export const isActive = (run) => Boolean(run && ACTIVE.includes(run.status));

function failureText(run) {
  const f = run.failure ?? {};
  if (f.code === 'BotStepTimedOut') return `The bot did not finish within ${Math.round(run.deadlineMs / 1000)} s and was stopped.`;
  if (f.code === 'Timeout') return 'The bot worker stopped answering; the run was given up.';
  if (f.kind === 'business') return `${humanize(f.code)}: ${f.message}`;
  return `${f.message ?? 'Unknown failure'} (${f.code ?? 'error'})`;
}

async function openEvidence(key) {
  const url = await artifactUrl(key);
  window.open(url, '_blank', 'noopener');
}

function resultOf(run, task) {
  const recorded = task.context?.bots?.[run.bot];
  const value = run.result ?? (recorded?.attendedRunId === run.attendedRunId ? recorded.result : undefined);
  if (!value || typeof value !== 'object') return null;
  // What the bot read, field by field; artifact keys (its screenshot) are shown by the screenshot panel, not as text.
  const shown = Object.entries(value).filter(([k, v]) => k !== 'screenshot' && ['string', 'number', 'boolean'].includes(typeof v));
  return definitionList(shown.map(([k, v]) => [humanize(k), String(v)]), { class: 'facts bot-result' });
}

function runStatus(run, task) {
  const steps = run.steps?.length ? h('ol', { class: 'bot-steps' }, run.steps.map((s) => h('li', {}, s.step))) : null;
  if (run.status === 'queued') return [h('p', { class: 'bot-status', role: 'status' }, `Queued by ${run.requestedBy} at ${dateTime(run.queuedAt)}; waiting for a bot.`)];
  if (run.status === 'running') {
    const limit = Math.round(run.deadlineMs / 1000);
    return [h('p', { class: 'bot-status', role: 'status' }, `Running since ${dateTime(run.startedAt)} (stopped after ${limit} s)…`), steps];
  }
  if (run.status === 'done') return [h('p', { class: 'bot-status', role: 'status' }, `Done at ${dateTime(run.endedAt)}, started by ${run.requestedBy}.`), steps, resultOf(run, task)];
  const evidence = run.failure?.evidence ?? {};
  const links = [
    evidence.screenshot ? h('button', { type: 'button', class: 'link', onclick: () => void openEvidence(evidence.screenshot) }, 'Screenshot') : null,
    evidence.trace ? h('button', { type: 'button', class: 'link', onclick: () => void openEvidence(evidence.trace) }, 'Trace') : null,
  ].filter(Boolean);
  return [
    h('p', { class: 'bot-status error', role: 'alert' }, `Failed at ${dateTime(run.endedAt)}: ${failureText(run)}`),
    steps,
    links.length ? h('p', { class: 'bot-evidence' }, 'Evidence: ', ...links) : null,
  ];
}

/** Renders the task's bots; `onTrigger(bot)` starts one. `pending` holds bots whose trigger is on its way. */
export function renderBots(container, task, { onTrigger, pending, disabledReason }) {
  if (!task.bots?.length) {
    container.hidden = true;
    container.replaceChildren();
    return;
  }
  container.hidden = false;
  const closed = ['completed', 'cancelled'].includes(task.status);
  const rows = task.bots.map((bot) => {
    const run = latestRun(task, bot);
    const busy = isActive(run) || pending.has(bot);
    const label = busy ? `${humanize(bot)}: ${run?.status === 'running' ? 'running…' : 'waiting for a bot…'}` : `Run ${humanize(bot)}`;
    const why = closed ? 'The task is closed.' : disabledReason;
    const button = h('button', { type: 'button', class: 'bot-button', 'data-bot': bot, disabled: busy || Boolean(why), title: why ?? '', onclick: () => onTrigger(bot) }, label);
    return h('div', { class: 'bot-row', 'data-bot': bot, 'data-status': run?.status ?? 'none' }, button, ...(run ? runStatus(run, task) : []));
  });
  container.replaceChildren(h('h2', { id: 'bots-title' }, 'Bots'), ...rows);
}

/** Follows one run by its link until it is done or failed; `onRun(run)` for each reading. */
export async function followRun(url, onRun, { stillWanted, everyMs = 700 }) {
  for (;;) {
    const run = await inbox.attendedRun(url);
    if (!stillWanted()) return;
    onRun(run);
    if (!isActive(run)) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
