// One suite figure on its own stack: what bench/<figure>.ts runs. Flags as bench/all.ts takes them.
import { BenchFailure } from './decisions';
import { figureTable } from './figures';
import { describeMachine, machine } from './machine';
import { openSuiteStack, type SuiteStack } from './suite-stack';
import { inheritedStackEnv, type StackEnv } from './stack';
import { TITLES, parseSuiteFlags, runFigure, type FigureName } from './suite-figures';
import { runInfo, writeFigureJson, writeFigureSection } from './suite-report';

export const suiteProfile = (quick: boolean): string => (quick ? 'bench-suite-quick' : 'bench-suite');

/** BENCH_ATTACH=1: run on the stack this environment describes (the smoke test's test stack). */
export const attachOption = (): { attach?: StackEnv } => (process.env.BENCH_ATTACH === '1' ? { attach: inheritedStackEnv() } : {});

export async function runStandalone(name: FigureName): Promise<never> {
  const flags = parseSuiteFlags();
  const log = (line: string): void => console.log(line);
  let s: SuiteStack | undefined;
  let code = 1;
  try {
    log(`${name}${flags.quick ? ' (quick)' : ''}; ${describeMachine(machine())}`);
    s = await openSuiteStack({ profile: suiteProfile(flags.quick), log, ...attachOption(), botWorker: name === 'sustained-decisions' && flags.batchDocuments > 0 });
    const run = await runFigure(name, s, flags, log);
    const info = runInfo(s.pragmas, flags.quick);
    log('');
    log(figureTable(run.figures));
    log('');
    for (const line of run.details) log(line);
    log(`\nwrote ${await writeFigureJson(name, info, { flags, figures: run.figures, result: run.json })}`);
    log(await writeFigureSection(name, TITLES[name], info, run.figures, run.details, run.loadWhileTiming));
    code = 0;
  } catch (err) {
    console.error(err instanceof BenchFailure ? `FAILED: ${err.message}` : err);
  } finally {
    await s?.close();
  }
  process.exit(code);
}
