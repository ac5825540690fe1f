// A month of mixed work for two clients, generated from a seed, with the test's own record of what
// happened to each item; and the KPIs worked out from that record by plain arithmetic (a 15-minute
// walk for business time), independently of the reporting store's SQL.
import type { RunFact } from '../../workflows/engine/run-facts';
import { defineServiceLevels, type ServiceLevel } from '../../workflows/engine/service-level';

export const LEVELS: ServiceLevel[] = defineServiceLevels([
  {
    client: 'kpi-east',
    process: 'claim-review',
    version: 1,
    effectiveFrom: '2026-01-01',
    calendar: { timeZone: 'America/New_York', opens: '08:00', closes: '18:00', holidays: ['2026-11-26'] },
    turnaround: { targetMs: 8 * 3600_000, clock: 'business', attainment: 0.95 },
    quality: { passTarget: 0.98 },
    straightThrough: { target: 0.6 },
    cost: { currency: 'USD', operatorPerHour: 42, botPerHour: 6, perItemFee: 0.15 },
  },
  {
    client: 'kpi-west',
    process: 'claim-review',
    version: 1,
    effectiveFrom: '2026-01-01',
    calendar: { timeZone: 'Europe/Berlin' },
    turnaround: { targetMs: 24 * 3600_000, clock: 'calendar', attainment: 0.9 },
    quality: { passTarget: 0.97 },
    straightThrough: { target: 0.5 },
    cost: { currency: 'EUR', operatorPerHour: 38, botPerHour: 5 },
  },
]);

/** November 2026 in each client's zone, as the test knows it (EDT→EST on Nov 1; CET all month). */
export const NOVEMBER: Record<string, { from: number; to: number }> = {
  'kpi-east': { from: Date.parse('2026-11-01T04:00:00Z'), to: Date.parse('2026-12-01T05:00:00Z') },
  'kpi-west': { from: Date.parse('2026-10-31T23:00:00Z'), to: Date.parse('2026-11-30T23:00:00Z') },
};

export type Kind = 'bot' | 'human' | 'business' | 'system' | 'failed' | 'cancelled';
export interface Recorded {
  fact: RunFact;
  kind: Kind;
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const Q = 15 * 60_000;
const BUSINESS_CODES = ['ClaimNotFound', 'MemberInactive', 'AmountMismatch'];
const SYSTEM_CODES = ['Timeout', 'Error'];

export function monthOfWork(perClient: number, seed = 7): Recorded[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const out: Recorded[] = [];
  for (const client of ['kpi-east', 'kpi-west']) {
    // From a week before November to its end, so some items cross into it and some out of it.
    const start = Date.parse('2026-10-25T00:00:00Z');
    const span = Date.parse('2026-12-01T00:00:00Z') - start;
    for (let i = 0; i < perClient; i++) {
      const kind = pick<Kind>(['bot', 'bot', 'bot', 'bot', 'human', 'human', 'business', 'system', 'failed', 'cancelled']);
      const received = start + Math.floor((random() * span) / Q) * Q;
      const closed = received + (1 + Math.floor(random() * 200)) * Q;
      const human = kind === 'human' || kind === 'business' || kind === 'system';
      const sampledP = human ? 0.2 : 0.05;
      const sampled = kind !== 'failed' && kind !== 'cancelled' && random() < (human ? 0.5 : 0.15);
      const fact: RunFact = {
        v: 1,
        runId: `claim-review-${client}-${i}`,
        client,
        process: 'claim-review',
        businessRef: `CLM-${100000 + i}`,
        receivedAt: new Date(received).toISOString(),
        startedAt: new Date(received + 60_000).toISOString(),
        closedAt: new Date(closed).toISOString(),
        status: kind === 'failed' ? 'failed' : kind === 'cancelled' ? 'cancelled' : 'completed',
        humanTasks: human ? 1 + (random() < 0.2 ? 1 : 0) : 0,
        handleMs: human ? Math.floor(random() * 30) * 60_000 : 0,
        waitMs: human ? Math.floor(random() * 240) * 60_000 : 0,
        botMs: 1000 + Math.floor(random() * 120_000),
        botSteps: 2,
        botFailures: kind === 'business' || kind === 'system' ? 1 : 0,
        businessExceptions: kind === 'business' ? [pick(BUSINESS_CODES)] : [],
        systemExceptions: kind === 'system' ? [pick(SYSTEM_CODES)] : [],
        slaBreached: false,
        ...(sampled ? { qa: { sampled: true, probability: sampledP, why: human ? 'human-rate' : 'bot-rate', result: random() < 0.85 ? 'pass' : 'fail' } as const } : {}),
      };
      out.push({ fact, kind });
    }
  }
  return out;
}

const localParts = new Map<string, Intl.DateTimeFormat>();
function local(tz: string, ms: number): { date: string; weekday: string; minutes: number } {
  let f = localParts.get(tz);
  if (!f) localParts.set(tz, (f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' })));
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, weekday: p.weekday!, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

/** Business time by walking 15-minute slots (all the test's instants are on the quarter hour). */
export function businessMs(level: ServiceLevel, from: number, to: number): number {
  const cal = level.calendar;
  const [oh, om] = (cal.opens ?? '09:00').split(':').map(Number);
  const [ch, cm] = (cal.closes ?? '17:00').split(':').map(Number);
  let total = 0;
  for (let t = from; t < to; t += Q) {
    const p = local(cal.timeZone, t);
    const open = !['Sat', 'Sun'].includes(p.weekday) && !(cal.holidays ?? []).includes(p.date) && p.minutes >= oh! * 60 + om! && p.minutes < ch! * 60 + cm!;
    if (open) total += Q;
  }
  return total;
}

/** Type-7 quantile (linear between order statistics). */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.ceil(h)] ?? s[lo]!) - s[lo]!);
}

export function expectedKpis(record: Recorded[], client: string) {
  const level = LEVELS.find((l) => l.client === client)!;
  const { from, to } = NOVEMBER[client]!;
  const mine = record.filter((r) => r.fact.client === client);
  const closedIn = mine.filter((r) => Date.parse(r.fact.closedAt) >= from && Date.parse(r.fact.closedAt) < to);
  const completed = closedIn.filter((r) => r.kind !== 'failed' && r.kind !== 'cancelled');
  const turnaround = (r: Recorded) => {
    const a = Date.parse(r.fact.receivedAt);
    const b = Date.parse(r.fact.closedAt);
    return level.turnaround.clock === 'business' ? businessMs(level, a, b) : b - a;
  };
  const times = completed.map(turnaround);
  const within = times.filter((t) => t <= level.turnaround.targetMs).length;
  const entered = mine.filter((r) => Date.parse(r.fact.startedAt) >= from && Date.parse(r.fact.startedAt) < to);
  const reviewed = completed.filter((r) => r.fact.qa?.result);
  const w = (rs: Recorded[]) => rs.reduce((s, r) => s + 1 / r.fact.qa!.probability, 0);
  const cost = completed.reduce((s, r) => s + (r.fact.handleMs / 3_600_000) * level.cost.operatorPerHour + (r.fact.botMs / 3_600_000) * level.cost.botPerHour + level.cost.perItemFee, 0);
  const touched = completed.filter((r) => r.fact.humanTasks > 0);
  const botSteps = closedIn.reduce((s, r) => s + r.fact.botSteps, 0);
  const botFailures = closedIn.reduce((s, r) => s + r.fact.botFailures, 0);
  const reasons = (kind: 'business' | 'system') => {
    const counts = new Map<string, number>();
    for (const r of entered) for (const code of kind === 'business' ? r.fact.businessExceptions : r.fact.systemExceptions) counts.set(code, (counts.get(code) ?? 0) + 1);
    return counts;
  };
  return {
    completed: completed.length,
    failed: closedIn.filter((r) => r.kind === 'failed').length,
    cancelled: closedIn.filter((r) => r.kind === 'cancelled').length,
    within,
    breaches: completed.length - within,
    p50: quantile(times, 0.5),
    p90: quantile(times, 0.9),
    stp: completed.filter((r) => r.kind === 'bot').length,
    fpy: completed.filter((r) => r.fact.qa?.result !== 'fail').length,
    entered: entered.length,
    business: entered.filter((r) => r.kind === 'business').length,
    system: entered.filter((r) => r.kind === 'system').length,
    businessReasons: reasons('business'),
    systemReasons: reasons('system'),
    reviewed: reviewed.length,
    passed: reviewed.filter((r) => r.fact.qa!.result === 'pass').length,
    passRate: w(reviewed.filter((r) => r.fact.qa!.result === 'pass')) / w(reviewed),
    costPerTransaction: cost / completed.length,
    handleMinutes: touched.reduce((s, r) => s + r.fact.handleMs, 0) / 60_000,
    touched: touched.length,
    botMinutes: completed.reduce((s, r) => s + r.fact.botMs, 0) / 60_000,
    botSuccess: (botSteps - botFailures) / botSteps,
  };
}
