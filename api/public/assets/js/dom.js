// Small DOM and formatting helpers shared by the views. Text always goes in as text nodes, never as
// HTML: task context is client data and must not be able to inject markup.

/** h('p', { class: 'x', onclick: fn }, 'text', child) → element. Attributes set to null/false are left out. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** 98050 → "980.50" (the currency is the client's; amounts are kept in cents everywhere else). */
export function money(cents) {
  if (typeof cents !== 'number') return '—';
  return (cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** 90061000 → "1d 1h", 125000 → "2m 5s": short enough for a table cell. */
export function duration(ms) {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400);
  const hr = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${hr}h`;
  if (hr) return `${hr}h ${m}m`;
  if (m) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** Due time as a short phrase and whether it has passed. */
export function due(iso, now = Date.now()) {
  if (!iso) return { text: '—', overdue: false };
  const left = Date.parse(iso) - now;
  return left < 0 ? { text: `overdue ${duration(left)}`, overdue: true } : { text: `in ${duration(left)}`, overdue: false };
}

/** "amountCents" → "Amount cents", "memberName" → "Member name". */
export function humanize(key) {
  const words = String(key)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_.]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A definition list from [label, value] pairs; values may be nodes. */
export function definitionList(pairs, attrs = {}) {
  return h('dl', { class: 'facts', ...attrs }, pairs.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value ?? '—')]));
}

/** True when a keypress lands in a place that takes text, so single-letter shortcuts must not fire. */
export function typingIn(target) {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  return target.closest('textarea, select, [contenteditable=""], [contenteditable="true"]') !== null;
}
