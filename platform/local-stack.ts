// The local stack's settings, for a command started by hand (`npm run inbox:rebuild`, `npm run
// tokens`, a worker): `stack.sh start` writes every port, URL and path it decided (from the checkout's
// path, scripts/lib/env.sh) to <state dir>/stack.env, and the configuration reads that file for the
// variables the environment does not set, so no one exports the stack's env by hand. The profile
// (TANDEM_PROFILE, default dev) or TANDEM_STATE_DIR picks the stack, as it does for the script.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout: the stack script's TANDEM_ROOT. */
export const CHECKOUT_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The file's name in the state dir (TANDEM_ENV_FILE in scripts/lib/env.sh). */
export const STACK_ENV_FILE = 'stack.env';

/** Where the stack of this environment's profile keeps its env file. */
export function stackEnvFile(env: NodeJS.ProcessEnv = process.env, checkout = CHECKOUT_DIR): string {
  const stateDir = env.TANDEM_STATE_DIR || join(checkout, '.state', env.TANDEM_PROFILE || 'dev');
  return join(isAbsolute(stateDir) ? stateDir : resolve(stateDir), STACK_ENV_FILE);
}

/** KEY=VALUE lines; blank lines and comments are skipped, a value keeps any `=` it holds. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0 || line.trimStart().startsWith('#')) continue;
    values[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return values;
}

/** The environment with the local stack's settings beneath it: what the environment sets wins. */
export function withLocalStack(env: NodeJS.ProcessEnv = process.env, checkout = CHECKOUT_DIR): NodeJS.ProcessEnv {
  const file = stackEnvFile(env, checkout);
  if (!existsSync(file)) return env;
  return { ...parseEnvFile(readFileSync(file, 'utf8')), ...env };
}
