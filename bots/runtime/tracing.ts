import type { BrowserContext, Page } from 'playwright-core';

type TracingOptions = NonNullable<Parameters<BrowserContext['tracing']['start']>[0]>;

// Playwright traces record every action's arguments and every request body: a password typed
// while tracing would end up in the evidence zip. The pool registers the contexts it traces here.
const tracedContexts = new WeakMap<BrowserContext, TracingOptions>();

export async function startTracing(context: BrowserContext, options: TracingOptions): Promise<void> {
  await context.tracing.start(options);
  tracedContexts.set(context, options);
}

/**
 * Runs `fn` with tracing off, for steps that handle secrets (logins); evidence then covers the work
 * since. Tracing is stopped and restarted rather than chunked: the network log spans chunks and
 * would keep the login form's body.
 */
export async function untraced<T>(page: Page, fn: () => Promise<T>): Promise<T> {
  const context = page.context();
  const options = tracedContexts.get(context);
  if (!options) return fn();
  await context.tracing.stop();
  try {
    return await fn();
  } finally {
    // A closed context cannot trace any more; the fn's own outcome is what matters then.
    await context.tracing.start(options).catch(() => undefined);
  }
}

/** Ends a step's tracing without saving it (a kept context traces each step on its own). */
export async function discardTracing(context: BrowserContext): Promise<void> {
  if (!tracedContexts.delete(context)) return;
  await context.tracing.stop();
}
