// Where a suite figure goes: bench/out/<name>.json (bench/out/quick/ for --quick), and its own
// section of bench/RESULTS.md (full runs only) headed by date, commit, machine and load.
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { figureTable, figuresComment, type Figure } from './figures';
import { describeMachine, machine, revision, type Machine, type Revision } from './machine';
import { writeResultsSection } from './results';
import { ROOT } from './stack';

export interface RunInfo {
  date: string;
  revision: Revision;
  machine: Machine;
  /** 1, 5 and 15-minute load averages when the figure was done. */
  loadAvg: number[];
  pragmas: string;
  quick: boolean;
}

export const runInfo = (pragmas: string, quick: boolean): RunInfo => ({ date: new Date().toISOString(), revision: revision(), machine: machine(), loadAvg: loadavg(), pragmas, quick });

export async function writeFigureJson(name: string, info: RunInfo, data: object): Promise<string> {
  const dir = `${ROOT}/bench/out${info.quick ? '/quick' : ''}`;
  await mkdir(dir, { recursive: true });
  const path = `${dir}/${name}.json`;
  await writeFile(path, `${JSON.stringify({ bench: name, ...info, ...data }, null, 2)}\n`);
  return path;
}

export function headerLines(title: string, info: RunInfo, loadWhileTiming?: { start: number; end: number }): string[] {
  const commit = `\`${info.revision.commit}\`${info.revision.dirty ? ' (with uncommitted changes)' : ''}`;
  const load = info.loadAvg.map((l) => l.toFixed(1)).join(' / ');
  return [
    `## ${title}`,
    '',
    `${info.date.slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, ${describeMachine(info.machine)}.`,
    `Machine load (1/5/15-min averages) at the end: ${load}${loadWhileTiming ? `; 1-min ${loadWhileTiming.start.toFixed(1)} when timing began, ${loadWhileTiming.end.toFixed(1)} when it ended` : ''}. Temporal's SQLite: \`${info.pragmas}\`.`,
  ];
}

/** Rewrites the section unless this was a quick run; returns what it did, for the log. */
export async function writeFigureSection(id: string, title: string, info: RunInfo, figures: Figure[], details: string[], loadWhileTiming?: { start: number; end: number }): Promise<string> {
  if (info.quick) return 'bench/RESULTS.md left alone (--quick is a smoke check, not a figure)';
  const markdown = [...headerLines(title, info, loadWhileTiming), '', figureTable(figures, { markdown: true }), '', ...details, '', figuresComment(figures)].join('\n');
  return `rewrote the ${id} section of ${await writeResultsSection(id, markdown)}`;
}
