// A schedule as people read it: what it starts, when, under which policies, and its recent runs.
import type { Schedule } from '../api-types';
import { compact, fields, table, when } from '../output';

function specLine(spec: Schedule['spec']): string {
  const parts = [
    ...(spec.cron ?? []).map((c) => `cron ${c}`),
    ...(spec.intervals ?? []).map((i) => `every ${i.every}${i.offset ? ` offset ${i.offset}` : ''}`),
    ...(spec.calendars ?? []).map((c) => `calendar ${compact(c)}`),
  ];
  return `${parts.join('; ')} (${spec.timezone})`;
}

export function renderSchedule(s: Schedule): string {
  const blocks = [
    fields([
      ['Schedule', s.scheduleId],
      ['Process', s.process],
      ['Client', s.client],
      ['Input', `${compact(s.input)}${s.inputFromFireTime ? ' (what stays fixed; each fire computes the rest from its time)' : ''}`],
      ['Spec', specLine(s.spec)],
      ['Policies', `overlap ${s.policies.overlap}, catch-up ${s.policies.catchupWindowMs / 1000}s, pause on failure ${s.policies.pauseOnFailure ? 'yes' : 'no'}`],
      ['Paused', s.paused ? `yes${s.note ? `: ${s.note}` : ''}` : 'no'],
      ['Note', s.paused ? undefined : s.note],
      ['Skips', s.skippedDates.length ? s.skippedDates.join(', ') : undefined],
      ['Next runs', s.nextRunTimes.slice(0, 3).map(when).join(', ')],
      ['Started', `${s.stats.runsStarted} runs (skipped for overlap ${s.stats.skippedOverlap}, missed catch-up ${s.stats.missedCatchupWindow})`],
    ]),
    `Recent runs\n${table(
      ['run', 'scheduled', 'status', 'closed', 'note'],
      s.recentRuns.map((r) => [r.runId ?? '', when(r.scheduledAt), r.status, when(r.closedAt), r.refused ?? '']),
    )}`,
  ];
  if (s.inputFromFireTime) {
    blocks.splice(1, 0, `Next fires\n${table(['at', 'input'], s.nextRuns.slice(0, 3).map((n) => [when(n.at), n.invalid ? `no run: ${n.invalid}` : compact(n.input ?? {})]))}`);
  }
  return blocks.join('\n\n');
}
