// The metric helpers on their own: the scrape cache, task timings from a task's trail, bot step
// timers, and the naming rules.
import { describe, expect, it } from 'vitest';
import { CachedReading } from '../../platform/metrics/cached-reading';
import { createRegistry, renderMetrics, tandemCounter } from '../../platform/metrics/registry';
import { TaskMetrics } from '../../platform/metrics/task-metrics';
import { BotMetrics } from '../../platform/metrics/bot-metrics';
import type { CompleteTaskResult, HumanTaskView, TaskEvent } from '../../workflows/engine/messages';
import { parseMetrics, sample } from './metrics.fixtures';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 2, 9, minutes)).toISOString();

function task(events: Array<[TaskEvent['event'], number]>, claimedAt?: number): HumanTaskView {
  return {
    taskId: 'r1.t1', runId: 'r1', process: 'manual-task', client: 'acme-health', businessRef: 'X', kind: 'manual-task.decide', title: 'T',
    team: 'claims-review', priority: 3, createdAt: at(0), status: claimedAt === undefined ? 'open' : 'claimed', actions: [], context: {}, bots: [], labels: [], comments: [],
    events: events.map(([event, minute]) => ({ event, at: at(minute), by: 'ana.lima' })),
    version: events.length,
    ...(claimedAt === undefined ? {} : { claim: { operatorId: 'ana.lima', leaseId: 'l', claimedAt: at(claimedAt), until: at(claimedAt + 15) } }),
  };
}

const decision = (minute: number, replayed = false): CompleteTaskResult => ({
  taskId: 'r1.t1', team: 'claims-review', version: 9, status: 'completed', action: 'approve', decidedAt: at(minute), replayed,
  decidedBy: { operatorId: 'ana.lima', team: 'claims-review', client: 'acme-health' },
});

describe('CachedReading', () => {
  it('reuses a reading for its lifetime, shares one read among concurrent callers, and keeps no failure', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const cache = new CachedReading(async () => {
      reads++;
      if (fail) throw new Error('down');
      return reads;
    }, 10_000, () => now);
    expect(await Promise.all([cache.get(), cache.get()])).toEqual([1, 1]);
    now = 9_999;
    expect(await cache.get()).toBe(1);
    now = 10_000;
    fail = true;
    await expect(cache.get()).rejects.toThrow('down');
    fail = false;
    expect(await cache.get()).toBe(3);
  });
});

describe('TaskMetrics', () => {
  const read = async (registry: ReturnType<typeof createRegistry>) => parseMetrics(await renderMetrics(registry));
  const labels = { process: 'manual-task', team: 'claims-review' };

  it('times the wait to the first claim and the handling from the claim the decision was made under', async () => {
    const registry = createRegistry();
    const metrics = new TaskMetrics(registry);
    // Opened at 0, claimed at 3, released at 5, claimed again at 20, decided at 27.
    await metrics.decided(task([['opened', 0], ['claimed', 3], ['released', 5], ['claimed', 20]], 20), decision(27));
    // The run's own copy may land first: completed, claim cleared, the trail still says it all.
    await metrics.decided(task([['opened', 0], ['claimed', 1], ['completed', 2]]), decision(2));
    // Decided straight from the queue: waited until the decision, no handling time.
    await metrics.decided(task([['opened', 0]]), decision(4));
    const samples = await read(registry);
    expect(sample(samples, 'tandem_task_wait_seconds_sum', labels)).toBe((3 + 1 + 4) * 60);
    expect(sample(samples, 'tandem_task_wait_seconds_count', labels)).toBe(3);
    expect(sample(samples, 'tandem_task_handle_seconds_sum', labels)).toBe((7 + 1) * 60);
    expect(sample(samples, 'tandem_task_handle_seconds_count', labels)).toBe(2);
    expect(sample(samples, 'tandem_task_decisions_total', { ...labels, action: 'approve' })).toBe(3);
  });

  it('counts a repeated Update once, and a decision whose task copy is unknown without timing it', async () => {
    const registry = createRegistry();
    const seen = new Set<string>();
    const metrics = new TaskMetrics(registry, async (id) => !seen.has(id) && Boolean(seen.add(id)));
    await metrics.decided(task([['opened', 0]]), decision(1), 'complete:r1.t1:abc');
    await metrics.decided(task([['opened', 0]]), decision(1), 'complete:r1.t1:abc');
    await metrics.decided(task([['opened', 0]]), decision(1, true));
    await metrics.decided(null, decision(1));
    const samples = await read(registry);
    expect(sample(samples, 'tandem_task_decisions_total', { team: 'claims-review' })).toBe(2);
    expect(sample(samples, 'tandem_task_decisions_total', { process: 'unknown' })).toBe(1);
    expect(sample(samples, 'tandem_task_wait_seconds_count')).toBe(1);
  });
});

describe('BotMetrics', () => {
  it('times each attempt by outcome and counts failures by kind', async () => {
    const registry = createRegistry();
    const metrics = new BotMetrics(registry);
    let clock = 0;
    const now = () => clock;
    const ok = metrics.start('extractClaim', now);
    clock = 1_500;
    ok.succeeded();
    const refused = metrics.start('enterAdjudication', now);
    clock = 2_000;
    refused.failed('business');
    metrics.start('enterAdjudication', now).failed('system');
    const samples = parseMetrics(await renderMetrics(registry));
    expect(sample(samples, 'tandem_bot_step_duration_seconds_sum', { bot: 'extractClaim', outcome: 'ok' })).toBe(1.5);
    expect(sample(samples, 'tandem_bot_step_duration_seconds_count', { bot: 'enterAdjudication' })).toBe(2);
    expect(sample(samples, 'tandem_bot_step_failures_total', { bot: 'enterAdjudication', kind: 'business' })).toBe(1);
    expect(sample(samples, 'tandem_bot_step_failures_total', { bot: 'enterAdjudication', kind: 'system' })).toBe(1);
  });
});

describe('metric names', () => {
  it('must be tandem_ snake case, counters ending in _total', () => {
    const registry = createRegistry();
    expect(() => tandemCounter(registry, { name: 'webhooks_total', help: 'x' })).toThrow(/tandem_/);
    expect(() => tandemCounter(registry, { name: 'tandem_webhooks', help: 'x' })).toThrow(/_total/);
    expect(tandemCounter(registry, { name: 'tandem_things_total', help: 'x' })).toBe(tandemCounter(registry, { name: 'tandem_things_total', help: 'x' }));
  });
});
