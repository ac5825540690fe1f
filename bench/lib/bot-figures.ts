// The bots bench's figures for the suite table, read from what bench/bot-throughput.ts wrote:
// bench/out/bot-throughput.json, else its newest timestamped bench/out/bot-throughput-*.json.
import { readdir, readFile, stat } from 'node:fs/promises';
import { figure, verdictOf, type Figure } from './figures';
import { ROOT } from './stack';

interface BotJson {
  date?: string;
  quick?: boolean;
  modes?: Record<string, { itemsPerSecond: number }>;
  ratios?: { pooledOverLaunchPerItem: number; pooledOverBare: number };
  config?: { concurrency?: number };
}

async function newest(): Promise<string | undefined> {
  const dir = `${ROOT}/bench/out`;
  const fixed = `${dir}/bot-throughput.json`;
  if (await stat(fixed).catch(() => null)) return fixed;
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^bot-throughput-.*\.json$/.test(n)).sort();
  return names.length ? `${dir}/${names[names.length - 1]}` : undefined;
}

export async function botFigures(): Promise<{ figures: Figure[]; source: string } | undefined> {
  const path = await newest();
  if (!path) return undefined;
  const j = JSON.parse(await readFile(path, 'utf8')) as BotJson;
  const pooled = j.modes?.pooled?.itemsPerSecond;
  const launch = j.modes?.['launch-per-item']?.itemsPerSecond;
  const bare = j.modes?.bare?.itemsPerSecond;
  if (pooled === undefined || launch === undefined || bare === undefined) return undefined;
  const c = j.config?.concurrency ?? 2;
  return {
    source: `${path.slice(ROOT.length + 1)} (${j.date ?? 'undated'}${j.quick ? ', --quick' : ''}, C = ${c})`,
    figures: [
      figure({ id: 'bots-pooled-vs-launch', name: `bot step items/s, pooled vs launch per item (C = ${c})`, unit: 'items/s', ours: pooled, baseline: launch, better: 'higher', target: '≥ 3×', verdict: verdictOf(pooled >= 3 * launch) }),
      figure({ id: 'bots-pooled-vs-bare', name: `bot step items/s, pooled vs bare floor (C = ${c})`, unit: 'items/s', ours: pooled, baseline: bare, better: 'higher', target: '≥ 0.9×', verdict: verdictOf(pooled >= 0.9 * bare) }),
    ],
  };
}
