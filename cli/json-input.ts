// JSON the caller hands in (a run's input, a decision's data, a schedule spec): from a file, `-`
// for stdin, or inline. A file that is missing or not JSON is a usage error naming it.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors';

export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${what} from ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseJson(text, `${what} in ${file}`);
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not JSON: ${(err as Error).message}`);
  }
}

/** A JSON object (the API takes objects for inputs, data and specs). */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}
