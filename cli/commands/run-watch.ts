// `runs watch`: reads the run every interval and prints what changed (a step started or ended,
// whom it waits on, the SLA, the end), until the run ends. The API has no per-run event stream,
// and a read is one Query on the run: polling each second costs the platform little.
import type { TandemApi } from '../api-client';
import { path } from '../api-client';
import type { Run } from '../api-types';
import { compact, when } from '../output';
import { slaLine, statusLine, waitingOn } from './run-view';

export interface WatchOptions {
  intervalMs: number;
  json?: boolean;
}

/** Lines saying how `next` differs from `previous` (everything worth saying when there is none). */
export function changes(previous: Run | undefined, next: Run, now = Date.now()): string[] {
  const lines: string[] = [];
  if (!previous) lines.push(`run ${next.runId} (${next.process}${next.client ? `, ${next.client}` : ''}${next.businessRef ? ` ${next.businessRef}` : ''}): ${statusLine(next)}`);
  next.steps.forEach((step, i) => {
    const before = previous?.steps[i];
    if (!before && !step.endedAt) lines.push(`step ${step.step} started`);
    if (step.endedAt && !before?.endedAt) lines.push(`step ${step.step} ended${step.result ? `: ${step.result}` : ''}${step.note ? ` (${step.note})` : ''}`);
  });
  const waiting = waitingOn(next, now);
  if (waiting && JSON.stringify(previous?.waitingOn) !== JSON.stringify(next.waitingOn)) {
    const sla = slaLine(next, now);
    lines.push(`waiting on ${waiting}${sla ? `; run SLA ${sla}` : ''}`);
  }
  if (previous && next.sla?.breached && !previous.sla?.breached) lines.push(`SLA breached (${slaLine(next, now)})`);
  if (next.status !== 'running' && previous?.status !== next.status) {
    lines.push(`run ${statusLine(next)}${next.closedAt ? ` at ${when(next.closedAt)}` : ''}`);
    if (next.outcome !== undefined) lines.push(`outcome ${compact(next.outcome)}`);
    if (next.failure) lines.push(`failure ${next.failure.message}${next.failure.type ? ` (${next.failure.type})` : ''}`);
  }
  return lines;
}

/** The run without what changes on every read (the SLA's countdown). */
const settled = (run: Run): string => JSON.stringify({ ...run, sla: run.sla && { ...run.sla, remainingMs: 0 } });

/** Follows the run until it ends; answers its last state. With --json, each changed state is one JSON line. */
export async function watchRun(api: TandemApi, runId: string, options: WatchOptions): Promise<Run> {
  let previous: Run | undefined;
  for (;;) {
    const run = await api.get<Run>(path('runs', runId));
    if (options.json) {
      if (!previous || settled(previous) !== settled(run)) process.stdout.write(`${JSON.stringify(run)}\n`);
    } else {
      const stamp = when(new Date().toISOString()).slice(11);
      for (const line of changes(previous, run)) process.stdout.write(`${stamp}  ${line}\n`);
    }
    if (run.status !== 'running') return run;
    previous = run;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
