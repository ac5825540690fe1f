// What the command line prints, from plain values: durations, tables, a problem's lines, and the
// lines `runs watch` prints for each change of a run.
import { describe, expect, it } from 'vitest';
import { duration, table, timeLeft } from '../../cli/output';
import { describeProblem } from '../../cli/errors';
import { changes } from '../../cli/commands/run-watch';
import { renderSchedule } from '../../cli/commands/schedule-view';
import type { Run, Schedule } from '../../cli/api-types';

const NOW = Date.parse('2026-12-07T12:00:00Z');

describe('output', () => {
  it('writes durations the way people say them', () => {
    expect([45_000, 12 * 60_000, 3 * 3600_000 + 5 * 60_000, 2 * 86_400_000 + 4 * 3600_000, 3600_000].map(duration)).toEqual(['45s', '12m', '3h 5m', '2d 4h', '1h']);
    expect(timeLeft('2026-12-07T14:10:00Z', NOW)).toBe('2h 10m left');
    expect(timeLeft('2026-12-07T11:55:00Z', NOW)).toBe('overdue 5m');
  });

  it('pads columns to the widest cell and says so when there are no rows', () => {
    expect(table(['task', 'team'], [['a.t1', 'claims-review'], ['longer.t22', 'x']])).toBe('TASK        TEAM\na.t1        claims-review\nlonger.t22  x');
    expect(table(['task'], [])).toBe('(none)');
  });

  it('shows a problem with its title, every field, the detail and what else it names', () => {
    const lines = describeProblem({
      type: 'urn:tandem:problem:business-item-open',
      title: 'This business item already has an open run',
      status: 409,
      detail: 'Claim CLM-1 is being worked',
      run: { runId: 'claim-review:acme-health:CLM-1', url: '/runs/claim-review:acme-health:CLM-1' },
    });
    expect(lines).toEqual([
      'This business item already has an open run (409 business-item-open)',
      '  Claim CLM-1 is being worked',
      '  run: {"runId":"claim-review:acme-health:CLM-1","url":"/runs/claim-review:acme-health:CLM-1"}',
    ]);
    const invalid = describeProblem({ type: 'urn:tandem:problem:invalid-request', title: 'Invalid request', status: 400, field: 'body.a', errors: [{ field: 'body.a', message: 'Required' }, { field: 'body.b', message: 'Too long' }] });
    expect(invalid).toEqual(['Invalid request (400 invalid-request)', '  body.a: Required', '  body.b: Too long']);
  });
});

describe('runs watch', () => {
  const base: Run = { runId: 'r', process: 'claim-review', client: 'acme-health', businessRef: 'CLM-1', status: 'running', phase: 'waiting-bot', startedAt: '2026-12-07T11:59:00Z', steps: [], openTasks: [] };
  const extracting: Run = { ...base, steps: [{ step: 'extract-claim', startedAt: '2026-12-07T11:59:00Z' }], waitingOn: { kind: 'bot', bot: 'extractClaim', since: '2026-12-07T11:59:00Z' } };

  it('says what the run is doing when it first reads it', () => {
    expect(changes(undefined, extracting, NOW)).toEqual([
      'run r (claim-review, acme-health CLM-1): running (waiting-bot)',
      'step extract-claim started',
      'waiting on bot extractClaim, since 2026-12-07 11:59:00Z (1m)',
    ]);
  });

  it('says only what changed: a step ended, another started, a new wait, a breached SLA, the end', () => {
    const reviewing: Run = {
      ...extracting,
      phase: 'waiting-human',
      steps: [{ step: 'extract-claim', startedAt: '2026-12-07T11:59:00Z', endedAt: '2026-12-07T11:59:30Z', result: 'ok' }, { step: 'review', startedAt: '2026-12-07T11:59:30Z' }],
      waitingOn: { kind: 'human', taskId: 'r.t1', team: 'claims-review', since: '2026-12-07T11:59:30Z' },
      sla: { dueAt: '2026-12-07T11:59:50Z', remainingMs: -10_000, breached: true },
    };
    expect(changes(extracting, reviewing, NOW)).toEqual([
      'step extract-claim ended: ok',
      'step review started',
      'waiting on team claims-review, task r.t1, since 2026-12-07 11:59:30Z (30s); run SLA due 2026-12-07 11:59:50Z, breached',
      'SLA breached (due 2026-12-07 11:59:50Z, breached)',
    ]);
    expect(changes(reviewing, reviewing, NOW)).toEqual([]);
    const failed: Run = { ...reviewing, status: 'failed', closedAt: '2026-12-07T12:00:00Z', waitingOn: undefined, failure: { message: 'boom', type: 'Error' } };
    expect(changes(reviewing, failed, NOW)).toEqual(['run failed at 2026-12-07 12:00:00Z', 'failure boom (Error)']);
  });
});

describe('schedules get', () => {
  it('shows what each fire of a fire-time schedule will get, and why a recent fire started no run', () => {
    const schedule: Schedule = {
      scheduleId: 'acme-payroll',
      url: '/schedules/acme-payroll',
      process: 'payroll-run',
      client: 'acme-health',
      input: { client: 'acme-health' },
      inputFromFireTime: true,
      spec: { cron: ['0 2 1 * *'], timezone: 'America/New_York' },
      skippedDates: [],
      policies: { overlap: 'SKIP', catchupWindowMs: 3_600_000, pauseOnFailure: false },
      paused: false,
      nextRunTimes: ['2027-01-01T07:00:00Z'],
      nextRuns: [{ at: '2027-01-01T07:00:00Z', input: { client: 'acme-health', period: '2026-12' } }],
      recentRuns: [{ scheduledAt: '2026-12-01T07:00:00Z', startedAt: '2026-12-01T07:00:01Z', status: 'refused', refused: '2026-11 already run as payroll-run:acme-health:2026-11' }],
      stats: { runsStarted: 1, skippedOverlap: 0, missedCatchupWindow: 0, buffered: 0, bufferDropped: 0 },
      createdAt: '2026-11-20T10:00:00Z',
    };
    const shown = renderSchedule(schedule);
    expect(shown).toMatch(/^Input +\{"client":"acme-health"\} \(what stays fixed; each fire computes the rest from its time\)$/m);
    expect(shown).toMatch(/^2027-01-01 07:00:00Z +\{"client":"acme-health","period":"2026-12"\}$/m);
    expect(shown).toMatch(/^ +2026-12-01 07:00:00Z +refused +2026-11 already run as payroll-run:acme-health:2026-11$/m);
  });
});
