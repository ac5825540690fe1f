// How the bot-throughput figures are printed and written to bench/RESULTS.md.
import { BOT_MODES, MODE_LABELS, type BotBenchResult, type BotMode } from './bot-bench';
import { describeMachine, type Machine, type Revision } from './machine';

const ms = (v: number): string => (Number.isNaN(v) ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const x = (v: number): string => `${v.toFixed(2)}×`;

function rows(r: BotBenchResult): string[][] {
  return BOT_MODES.map((mode: BotMode) => {
    const f = r.modes[mode];
    return [MODE_LABELS[mode], f.itemsPerSecond.toFixed(2), ms(f.latency.p50), ms(f.latency.p95), ms(f.latency.mean), ms(f.latency.max), String(f.items), String(f.failed)];
  });
}

const HEAD = ['', 'items/s', 'p50 ms', 'p95 ms', 'mean ms', 'max ms', 'n', 'failed'];

export function consoleTable(r: BotBenchResult): string {
  const body = rows(r);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function ratioLines(r: BotBenchResult): string[] {
  return [
    `pooled / launch per item: ${x(r.ratios.pooledOverLaunchPerItem)} the items per second (what the shared browser and kept sessions buy; target ≥ 3×: ${r.ratios.pooledOverLaunchPerItem >= 3 ? 'met' : 'missed'})`,
    `pooled / bare floor:      ${x(r.ratios.pooledOverBare)} of the bare floor (Temporal, the activity wrapper and tracing cost, kept sessions save; target ≥ 0.9×: ${r.ratios.pooledOverBare >= 0.9 ? 'met' : 'missed'})`,
  ];
}

export interface BotSectionMeta {
  machine: Machine;
  rev: Revision;
  date: string;
  /** `uptime` when timing ended. */
  uptime: string;
}

export function markdownSection(r: BotBenchResult, meta: BotSectionMeta): string {
  const c = r.config;
  const table = [HEAD, HEAD.map((_, i) => (i === 0 ? '---' : '---:')), ...rows(r)].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  return [
    `## Bots: items per second for the ClaimReview extract step, C = ${c.concurrency} (\`bench/bot-throughput.ts\`)`,
    '',
    `${meta.date}, commit \`${meta.rev.commit}\`${meta.rev.dirty ? ' (with uncommitted changes)' : ''}, ${describeMachine(meta.machine)}.`,
    `N = ${c.items} items per mode, C = ${c.concurrency} at a time in every mode, ${c.rounds} timed rounds per mode in the order ${r.order.join(' → ')}, after ${c.warmup} warm-up items per mode. ` +
      `Machine load (1-min average): ${r.loadAvg.start.toFixed(1)} when timing began, ${r.loadAvg.end.toFixed(1)} when it ended; \`uptime\` at the end: \`${meta.uptime}\`.`,
    '',
    table,
    '',
    ...ratioLines(r).map((l) => `- ${l}`),
    '',
    'Each item signs in to the sandbox claims system (in-process, random port) with its client’s bot login, opens one seeded claim, reads it and takes a full-page screenshot, ' +
      'and counts only if it read the claim exactly as seeded. The two Temporal modes run the production bot activity (`createBotActivities` → `defineBotActivity`: heartbeats, ' +
      'tracing for evidence, credential scrubbing, and the login gate: a `LoginSessions` slot per step in the stack\'s Redis, C sessions allowed per login) on an in-process bot worker (`maxConcurrentActivityTaskExecutions` = C), driven by a bench workflow that keeps C `extractClaim` ' +
      'activities in flight (one attempt each); items/s is the items over the time from starting the workflow to its result, and latency is from scheduling to the result as ' +
      'the workflow saw it. The pooled worker keeps each login\'s signed-in context (and page) after a clean step and hands it to the next step of that login (up to C per login, 2 × C in all; ' +
      'the idle close is set past the run, as for a busy worker); a fresh one ' +
      'is redirected to the login form, which lands back on the claim. The bare floor drives the same pages with plain Playwright calls (goto the login form asking to land on the claim, ' +
      'fill, fill, click, one evaluate, full-page screenshot; nothing waited for beyond `domcontentloaded`) in a plain loop, C fresh contexts on one Chromium, without tracing.',
    '',
    `Browsers launched: pooled ${r.browsersLaunched.pooled}, launch per item ${r.browsersLaunched.launchPerItem}. Pooled contexts: ${r.pooledContexts.reused} kept sessions reused, ${r.pooledContexts.fresh} fresh sign-ins.`,
    '',
    `Rounds: ${r.rounds.map((x) => `${x.mode} ${(x.items / x.seconds).toFixed(2)}`).join(', ')} items/s.`,
    '',
    `Checks: ${r.checks.join('; ')}.`,
  ].join('\n');
}
