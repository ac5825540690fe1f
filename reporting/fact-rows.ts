// A run's fact as the reporting store keeps it: the fact itself plus what its service level makes
// of it (turnaround on the contract's clock, within target or not, cost), derived at ingest with the
// version in force when the item was received, so a later contract change never rewrites history.
import { businessTimeBetween, localDateOf } from '../workflows/engine/business-calendar';
import { serviceLevelFor, type ServiceLevel } from '../workflows/engine/service-level';
import type { RunFact } from '../workflows/engine/run-facts';

export interface FactRow {
  runId: string;
  client: string;
  process: string;
  businessRef: string;
  receivedMs: number;
  startedMs: number;
  closedMs: number;
  status: RunFact['status'];
  outcome: string | null;
  humanTasks: number;
  handleMs: number;
  waitMs: number;
  botMs: number;
  botSteps: number;
  botFailures: number;
  businessExceptions: string[];
  systemExceptions: string[];
  slaBreached: boolean;
  qaSampled: boolean;
  qaProbability: number | null;
  qaResult: 'pass' | 'fail' | null;
  qaReason: string | null;
  /** On the service level's clock (business or calendar); null without a service level. */
  turnaroundMs: number | null;
  withinTarget: boolean | null;
  slVersion: number | null;
  cost: number | null;
}

export function toFactRow(fact: RunFact, levels: readonly ServiceLevel[]): FactRow {
  const received = new Date(fact.receivedAt);
  const closed = new Date(fact.closedAt);
  const level = serviceLevelFor(levels, fact.client, fact.process, localDateOf(received, levels.find((l) => l.client === fact.client)?.calendar.timeZone ?? 'UTC'));
  const turnaroundMs = level
    ? level.turnaround.clock === 'business'
      ? businessTimeBetween(received, closed, level.calendar)
      : Math.max(0, closed.getTime() - received.getTime())
    : null;
  const cost = level ? (fact.handleMs / 3_600_000) * level.cost.operatorPerHour + (fact.botMs / 3_600_000) * level.cost.botPerHour + level.cost.perItemFee : null;
  return {
    runId: fact.runId,
    client: fact.client,
    process: fact.process,
    businessRef: fact.businessRef,
    receivedMs: received.getTime(),
    startedMs: Date.parse(fact.startedAt),
    closedMs: closed.getTime(),
    status: fact.status,
    outcome: fact.outcome ?? null,
    humanTasks: fact.humanTasks,
    handleMs: fact.handleMs,
    waitMs: fact.waitMs,
    botMs: fact.botMs,
    botSteps: fact.botSteps,
    botFailures: fact.botFailures,
    businessExceptions: fact.businessExceptions,
    systemExceptions: fact.systemExceptions,
    slaBreached: fact.slaBreached,
    qaSampled: fact.qa?.sampled ?? false,
    qaProbability: fact.qa?.sampled ? fact.qa.probability : null,
    qaResult: fact.qa?.result ?? null,
    qaReason: fact.qa?.reason ?? null,
    turnaroundMs,
    withinTarget: level && turnaroundMs !== null ? turnaroundMs <= level.turnaround.targetMs : null,
    slVersion: level?.version ?? null,
    cost,
  };
}
