// `npm run new:process -- <name>`: writes workflows/<name>/ from scripts/templates/process/: an input
// schema, a workflow with one bot step against the sandbox claims system and one human check, its
// definition (found by the catalogue: no other file changes), and its tests (time skipping, real
// Chromium), which pass as generated. See docs/AUTHORING.md for what to change next.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const TEMPLATES = fileURLToPath(new URL('./templates/process', import.meta.url));
const RESERVED = new Set(['engine']);

export interface NewProcess {
  name: string;
  title?: string;
  /** The workflows folder to write into; default this checkout's. */
  workflowsDir?: string;
}

/** `vendor-check` → { camel: vendorCheck, pascal: VendorCheck, title: Vendor check }. */
export function namesOf(name: string, title?: string) {
  const words = name.split('-');
  const pascal = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return { name, camel: pascal[0]!.toLowerCase() + pascal.slice(1), pascal, title: title ?? `${words.join(' ')[0]!.toUpperCase()}${words.join(' ').slice(1)}` };
}

/** Writes the folder; returns the files written. Refuses a bad or taken name before writing anything. */
export function newProcess({ name, title, workflowsDir = fileURLToPath(new URL('../workflows', import.meta.url)) }: NewProcess): string[] {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || RESERVED.has(name)) {
    throw new Error(`A process name is lower-case words joined by dashes, e.g. vendor-check (not "${name}")`);
  }
  const folder = join(workflowsDir, name);
  if (existsSync(folder)) throw new Error(`${relative(process.cwd(), folder) || folder} already exists; choose another name`);
  const n = namesOf(name, title);
  const fill = (text: string) =>
    text.replaceAll('__NAME__', n.name).replaceAll('__CAMEL__', n.camel).replaceAll('__PASCAL__', n.pascal).replaceAll('__TITLE__', n.title);
  mkdirSync(folder, { recursive: true });
  const written: string[] = [];
  for (const template of readdirSync(TEMPLATES).filter((f) => f.endsWith('.tmpl')).sort()) {
    const path = join(folder, template.replace(/\.tmpl$/, ''));
    writeFileSync(path, fill(readFileSync(join(TEMPLATES, template), 'utf8')));
    written.push(path);
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { title: { type: 'string' }, 'workflows-dir': { type: 'string' } } });
  const name = positionals[0];
  if (!name || positionals.length > 1) {
    console.error('usage: npm run new:process -- <name> [--title "Vendor check"] [--workflows-dir workflows]');
    process.exit(2);
  }
  try {
    const files = newProcess({ name, title: values.title, workflowsDir: values['workflows-dir'] });
    console.log(`wrote ${files.length} files:\n${files.map((f) => `  ${relative(process.cwd(), f)}`).join('\n')}`);
    console.log(`\nnext: npx vitest run workflows/${name}   (its tests pass as generated; then make it yours: docs/AUTHORING.md)`);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
}
