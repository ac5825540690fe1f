// Where figures go: a JSON file per run under bench/out/ (gitignored), and the benchmark's own
// section of bench/RESULTS.md, rewritten in place between its markers.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { ROOT } from './stack';

export async function writeJson(name: string, data: unknown): Promise<string> {
  const dir = `${ROOT}/bench/out`;
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = `${dir}/${name}-${stamp}.json`;
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

const HEADER = `# Benchmark results

The latest figures of each benchmark in \`bench/\` (see \`bench/README.md\`), rewritten by the benchmark
itself. Every figure sits beside a baseline measured in the same run: these machines are shared and
noisy, so compare ratios across runs rather than absolute milliseconds.
`;

/** Replaces (or appends) the section between `<!-- bench:<id> -->` and `<!-- /bench:<id> -->`. */
export async function writeResultsSection(id: string, markdown: string): Promise<string> {
  const path = `${ROOT}/bench/RESULTS.md`;
  const current = existsSync(path) ? await readFile(path, 'utf8') : HEADER;
  const open = `<!-- bench:${id} -->`;
  const close = `<!-- /bench:${id} -->`;
  const section = `${open}\n${markdown.trim()}\n${close}`;
  const start = current.indexOf(open);
  const end = current.indexOf(close);
  const next = start >= 0 && end > start ? current.slice(0, start) + section + current.slice(end + close.length) : `${current.trimEnd()}\n\n${section}\n`;
  await writeFile(path, next);
  return path;
}
