// A run's id is its business item: `<process>:<client>:<reference>`, so Temporal itself refuses a
// second open run of the same item (a workflow id is unique among open runs, and never reused
// here). A later run of the same item (after a failure or cancellation, or a supervisor's
// reprocessing) takes the next attempt: `…:r2`, `…:r3`. Pure functions: workflow code uses them too.

/** Characters a run id may hold (the API's run-id pattern); anything else in a reference is replaced. */
const SAFE = /[^A-Za-z0-9._-]/g;
const MAX_REF_CHARS = 120;

/** FNV-1a, 32 bits: deterministic and dependency-free, enough to keep two sanitised references apart. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** A reference as it may stand in an id: unchanged when already safe, else sanitised plus a hash of the original. */
export function referenceKey(ref: string): string {
  const safe = ref.replace(SAFE, '_');
  if (safe === ref && ref.length <= MAX_REF_CHARS) return ref;
  return `${safe.slice(0, MAX_REF_CHARS)}_${shortHash(ref)}`;
}

/** The id of attempt `attempt` (1, 2, …) at a business item of a process and client. */
export function referenceRunId(process: string, client: string, ref: string, attempt = 1): string {
  const base = `${process}:${client}:${referenceKey(ref)}`;
  return attempt <= 1 ? base : `${base}:r${attempt}`;
}

/** The attempt a run id stands for (1 for the first), or undefined for an id not made here. */
export function attemptOf(runId: string): number | undefined {
  const m = /^[a-z][a-z0-9-]*:[^:]+:[^:]+(?::r(\d+))?$/.exec(runId);
  return m ? (m[1] ? Number(m[1]) : 1) : undefined;
}
