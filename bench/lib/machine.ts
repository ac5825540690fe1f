// What a figure was measured on and at which commit, for bench/RESULTS.md and the JSON output.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { ROOT } from './stack';

export interface Machine {
  cores: number;
  memoryGiB: number;
  cpu: string;
  node: string;
}

export interface Revision {
  commit: string;
  /** Uncommitted changes outside bench/out when the figures were taken. */
  dirty: boolean;
}

export function machine(): Machine {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: leave it unknown
  }
  return { cores: availableParallelism(), memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, cpu, node: process.version };
}

export function revision(): Revision {
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--', '.', ':!bench/out').length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

export function describeMachine(m: Machine): string {
  return `${m.cores} cores, ${m.memoryGiB} GiB, ${m.cpu}, Node ${m.node}`;
}
