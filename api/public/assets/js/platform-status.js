// The platform's health as the operator should see it: a banner while Temporal or Redis is away
// (from /health/ready, asked every few seconds, and at once when a call answers 503 for an outage
// or the live stream drops), the actions that cannot be recorded disabled with the reason, and
// everything back to normal by itself when the dependency returns.
import { DEPENDENCY_UNAVAILABLE, platformHealth } from './api.js';
import { $ } from './dom.js';

const EVERY_MS = 5_000;
const DEGRADED_EVERY_MS = 2_000;
/** Controls that record something; navigation (Load more) and form resets stay usable. */
const RECORDING = '#queue-view button:not(.load-more):not([data-keep-enabled]), #task-view button:not([data-keep-enabled])';

function at(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** What the operator is told, by which dependency is away. */
function message(away) {
  const since = (name) => (away[name]?.since ? ` since ${at(away[name].since)}` : '');
  if (away.temporal && away.redis) return { text: `Tandem is unavailable${since('temporal')}: neither runs nor the inbox answer. Nothing can be recorded now; this page recovers by itself.`, blocks: true };
  if (away.temporal) return { text: `Temporal is unavailable${since('temporal')}: decisions, claims and take-next cannot be recorded now. The queue shows tasks as they were. This page recovers by itself.`, blocks: true };
  return { text: `The inbox index (Redis) is unavailable${since('redis')}: the queue is read from Temporal (slower, possibly incomplete) and live updates are paused. Decisions still go through.`, blocks: false };
}

export class PlatformStatus {
  #away = {};
  #timer;
  #observer;
  #onRecovered;

  /** onRecovered(): called once when every dependency is back (the page reloads its data). */
  constructor({ onRecovered = () => {} } = {}) {
    this.#onRecovered = onRecovered;
    window.addEventListener(DEPENDENCY_UNAVAILABLE, (event) => {
      const { dependency, since } = event.detail ?? {};
      if (dependency && !this.#away[dependency]) this.#show({ ...this.#away, [dependency]: { since } });
      this.check();
    });
    // Views re-render their buttons: keep new ones disabled while the outage lasts.
    this.#observer = new MutationObserver(() => this.#applyDisabled());
    this.#observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
    void this.check();
  }

  get degraded() {
    return Object.keys(this.#away).length > 0;
  }

  /** Asks /health/ready now, then again in a while (sooner while degraded). */
  async check() {
    clearTimeout(this.#timer);
    let away = this.#away;
    try {
      const health = await platformHealth();
      const deps = health.dependencies ?? {};
      away = Object.fromEntries(Object.entries(deps).filter(([, d]) => d.state !== 'closed').map(([name, d]) => [name, { since: d.since }]));
    } catch {
      // The API itself does not answer: say so, keep what we knew.
      away = { ...away, api: { since: new Date().toISOString() } };
    }
    const was = this.degraded;
    this.#show(away);
    if (was && !this.degraded) this.#onRecovered();
    this.#timer = setTimeout(() => void this.check(), this.degraded ? DEGRADED_EVERY_MS : EVERY_MS);
  }

  #show(away) {
    this.#away = away;
    const banner = $('#platform-banner');
    if (!this.degraded) {
      banner.hidden = true;
      document.body.removeAttribute('data-degraded');
      this.#applyDisabled();
      return;
    }
    const { text } = away.api ? { text: 'The Tandem API cannot be reached: nothing can be recorded now. This page tries again by itself.' } : message(away);
    $('#platform-banner-text').textContent = text;
    banner.hidden = false;
    document.body.dataset.degraded = Object.keys(away).join(' ');
    this.#applyDisabled();
  }

  /** The reason actions are disabled, or null when they can be recorded. */
  get blockedReason() {
    if (!this.degraded) return null;
    if (this.#away.api) return 'The Tandem API cannot be reached right now';
    return message(this.#away).blocks ? 'Temporal is unavailable: this cannot be recorded until it is back' : null;
  }

  #applyDisabled() {
    const reason = this.blockedReason;
    for (const el of document.querySelectorAll(RECORDING)) {
      if (reason && !el.disabled) {
        el.disabled = true;
        el.dataset.outageDisabled = '1';
        el.dataset.titleBefore = el.title ?? '';
        el.title = reason;
      } else if (!reason && el.dataset.outageDisabled) {
        el.disabled = false;
        el.title = el.dataset.titleBefore ?? '';
        delete el.dataset.outageDisabled;
        delete el.dataset.titleBefore;
      }
    }
  }
}
