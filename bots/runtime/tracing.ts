import type { BrowserContext, Page } from 'playwright-core';

// Playwright traces record every action's arguments and every request body: a password typed
// while tracing would end up in the evidence zip. Contexts traced by the pool are marked here.
const tracedContexts = new WeakSet<BrowserContext>();

export function markTraced(context: BrowserContext): void {
  tracedContexts.add(context);
}

/**
 * Runs `fn` with tracing paused, for steps that handle secrets (logins). The trace chunk recorded
 * so far is discarded and a fresh one starts afterwards, so evidence covers the work since then.
 */
export async function untraced<T>(page: Page, fn: () => Promise<T>): Promise<T> {
  const context = page.context();
  if (!tracedContexts.has(context)) return fn();
  await context.tracing.stopChunk();
  try {
    return await fn();
  } finally {
    // A closed context cannot trace any more; the fn's own outcome is what matters then.
    await context.tracing.startChunk().catch(() => undefined);
  }
}
