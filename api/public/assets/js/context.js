// What the operator decides on, made readable: the extracted claim (or a bot failure) as facts with
// money and dates formatted, the bot's screenshot, and anything else in the context as plain pairs.
import { artifactUrl } from './api.js';
import { date, dateTime, definitionList, h, humanize, money } from './dom.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One value for a facts list: cents as money, timestamps as dates, small objects as nested facts. */
function formatValue(key, value, depth = 0) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'number' && /Cents$/.test(key)) return money(value);
  if (typeof value === 'string' && ISO_TIME.test(value)) return dateTime(value);
  if (typeof value === 'string' && ISO_DATE.test(value)) return date(value);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.join(', ');
  if (typeof value === 'object' && depth < 2) return facts(value, depth + 1);
  if (typeof value === 'object') return h('code', {}, JSON.stringify(value));
  return String(value);
}

function label(key) {
  return humanize(String(key).replace(/Cents$/, ''));
}

function facts(object, depth = 0, skip = []) {
  const pairs = Object.entries(object)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => [label(key), formatValue(key, value, depth)]);
  return pairs.length ? definitionList(pairs) : h('p', { class: 'muted' }, 'Nothing to show.');
}

/** The claim first, in the order a reviewer reads it. */
function claimFacts(claim) {
  const member = [claim.memberName ?? '—', claim.memberId ? h('span', { class: 'muted mono' }, ` ${claim.memberId}`) : null];
  const known = ['claimRef', 'memberName', 'memberId', 'diagnosisCode', 'amountCents', 'submittedOn', 'status', 'screenshot'];
  const rest = Object.entries(claim).filter(([key]) => !known.includes(key));
  return definitionList(
    [
      ['Claim number', h('span', { class: 'mono' }, claim.claimRef ?? '—')],
      ['Member', member],
      ['Diagnosis code', h('span', { class: 'mono' }, claim.diagnosisCode ?? '—')],
      ['Amount', h('strong', { class: 'amount' }, money(claim.amountCents))],
      ['Submitted on', formatValue('submittedOn', claim.submittedOn)],
      ['Status in claims system', claim.status ?? '—'],
      ...rest.map(([key, value]) => [label(key), formatValue(key, value, 1)]),
    ],
    { 'aria-label': 'Claim' },
  );
}

function failureFacts(failure, step) {
  const details = failure.details && Object.keys(failure.details).length ? failure.details : null;
  return definitionList(
    [
      ['Problem', h('strong', {}, failure.code ?? 'Failure')],
      ['Kind', failure.kind === 'business' ? 'Business exception (retrying will not help by itself)' : 'System fault'],
      ['Message', failure.message ?? '—'],
      ...(step ? [['Step', step]] : []),
      ...(details ? [['Details', facts(details, 1)]] : []),
    ],
    { 'aria-label': 'Bot failure' },
  );
}

/** The context section's content. */
export function renderContext(context = {}) {
  const parts = [];
  if (context.claim) parts.push(h('h3', {}, 'Claim'), claimFacts(context.claim));
  if (context.failure) parts.push(h('h3', {}, 'What went wrong'), failureFacts(context.failure, context.step));
  const rest = Object.fromEntries(Object.entries(context).filter(([key]) => !['claim', 'failure', ...(context.failure ? ['step'] : [])].includes(key)));
  if (Object.keys(rest).length) parts.push(parts.length ? h('h3', {}, 'More') : null, facts(rest));
  return parts.length ? parts : [h('p', { class: 'muted' }, 'This task has no context.')];
}

/** The artifact key of the bot's screenshot, if the context carries one. */
export function screenshotKey(context = {}) {
  return context.claim?.screenshot ?? context.failure?.evidence?.screenshot;
}

/**
 * The screenshot as a figure, fetched with the operator header (an <img src> could not send it).
 * Returns the figure and a function that frees the blob URL.
 */
export function renderScreenshot(key, caption) {
  const figure = h('figure', { class: 'screenshot' }, h('p', { class: 'muted' }, 'Loading screenshot…'));
  let url;
  let released = false;
  artifactUrl(key)
    .then((blobUrl) => {
      if (released) return URL.revokeObjectURL(blobUrl); // the operator moved on before it arrived
      url = blobUrl;
      const img = h('img', { src: url, alt: caption });
      figure.replaceChildren(h('a', { href: url, target: '_blank', rel: 'noopener', title: 'Open full size' }, img), h('figcaption', { class: 'muted' }, caption));
    })
    .catch((problem) => figure.replaceChildren(h('p', { class: 'error' }, `Screenshot unavailable: ${problem.summary ?? problem.message}`)));
  const release = () => {
    released = true;
    if (url) URL.revokeObjectURL(url);
  };
  return { figure, release };
}
