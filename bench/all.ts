// `npm run bench`: every benchmark of issue #12 in one run (under 20 minutes here), then ONE table:
// figure, ours, same-run baseline, ratio, target, verdict; a ratio more than 20% worse than the last
// recorded one is printed as a regression. Full runs keep the latest in bench/RESULTS.md (the
// `suite` section, and each figure's own); `--quick` is the CI smoke test (small sizes, no bots
// bench, RESULTS.md left alone, JSON under bench/out/quick/).
//   npm run bench                 # ~15 min: waiting work at 1k and 10k, 500 decisions, 1,000 starts, sustained, bots --quick
//   npm run bench -- --quick      # under a minute
//   npm run bench -- --skip-bots --only decision-latency,start-throughput
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { BenchFailure } from './lib/decisions';
import { figureTable, figuresFromMarkdown, regressionLines, regressions, type Figure } from './lib/figures';
import { botFigures } from './lib/bot-figures';
import { describeMachine, machine } from './lib/machine';
import { ROOT } from './lib/stack';
import { attachOption, suiteProfile } from './lib/standalone';
import { openSuiteStack, type SuiteStack } from './lib/suite-stack';
import { FIGURES, TITLES, parseSuiteFlags, runFigure, type FigureRun } from './lib/suite-figures';
import { runInfo, writeFigureJson, writeFigureSection } from './lib/suite-report';

const flags = parseSuiteFlags();
const log = (line: string): void => console.log(line);
const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`;

async function main(): Promise<number> {
  const names = flags.only ?? [...FIGURES];
  log(`bench suite${flags.quick ? ' (quick)' : ''}: ${names.join(', ')}${flags.skipBots ? '' : ', bot-throughput --quick'}; ${describeMachine(machine())}`);
  const previous = figuresFromMarkdown(await readFile(`${ROOT}/bench/RESULTS.md`, 'utf8').catch(() => ''), 'suite');
  const runs: FigureRun[] = [];
  const failed: string[] = [];
  let s: SuiteStack | undefined;
  let pragmas = '';
  try {
    s = await openSuiteStack({ profile: suiteProfile(flags.quick), log, ...attachOption(), botWorker: names.includes('sustained-decisions') && flags.batchDocuments > 0 });
    pragmas = s.pragmas;
    for (const name of names) {
      log(`\n== ${name} (${elapsed()}) ==`);
      try {
        const run = await runFigure(name, s, flags, log);
        runs.push(run);
        const info = runInfo(s.pragmas, flags.quick);
        await writeFigureJson(name, info, { flags, figures: run.figures, result: run.json });
        log(await writeFigureSection(name, TITLES[name], info, run.figures, run.details, run.loadWhileTiming));
      } catch (err) {
        failed.push(`${name}: ${(err as Error).message}`);
        console.error(err instanceof BenchFailure ? `FAILED ${name}: ${err.message}` : err);
      }
    }
  } finally {
    await s?.close();
  }

  const figures: Figure[] = runs.flatMap((r) => r.figures);
  if (!flags.skipBots) {
    log(`\n== bot-throughput --quick (${elapsed()}) ==`);
    // Its own script and stack; its figures come back through bench/out/bot-throughput.json.
    const bots = spawnSync('npm', ['run', '--silent', 'bench:bots', '--', '--quick'], { cwd: ROOT, stdio: 'inherit' });
    if (bots.status !== 0) failed.push(`bot-throughput: exited ${bots.status ?? bots.signal}`);
  }
  const bots = flags.skipBots ? undefined : await botFigures();
  if (bots) figures.push(...bots.figures);
  else if (!flags.skipBots) failed.push('bot-throughput: no bench/out/bot-throughput*.json to read');

  const regressed = regressions(figures, previous);
  const info = runInfo(pragmas, flags.quick);
  log(`\n== the suite (${elapsed()}) ==\n`);
  log(figureTable(figures, { regressed }));
  log('');
  for (const line of regressionLines(regressed)) log(line);
  if (!previous.length) log('No earlier suite run recorded in bench/RESULTS.md: nothing to compare against.');
  if (bots) log(`Bots: ${bots.source}.`);
  for (const f of failed) log(`FAILED ${f}`);
  const details = [
    `Wall time ${elapsed()}. Each figure's own section below has its details; the baseline of each is measured in the same run.`,
    ...(bots ? [`Bots: ${bots.source}.`] : flags.skipBots ? ['The bots bench was not run (--skip-bots).'] : []),
    ...regressionLines(regressed),
    ...failed.map((f) => `FAILED ${f}`),
  ];
  log(`\nwrote ${await writeFigureJson('suite', info, { flags, seconds: (performance.now() - started) / 1000, figures, regressions: regressed, failed })}`);
  log(await writeFigureSection('suite', '`npm run bench`: every figure of issue #12 beside its baseline (`bench/all.ts`)', info, figures, details));
  return failed.length ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(err);
}
process.exit(code);
