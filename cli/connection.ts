// Where the API is and who is calling, from the flags, then the environment, then (for the
// address) this checkout's local stack as `bash scripts/stack.sh env` prints it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors';

export interface ConnectionFlags {
  api?: string;
  token?: string;
  tokenFile?: string;
}

export interface Connection {
  baseUrl: string;
  /** The credential's header: a bearer token or an API key; empty when none was given (the API answers 401). */
  headers: Record<string, string>;
}

const CHECKOUT = fileURLToPath(new URL('..', import.meta.url));

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  return { baseUrl: apiAddress(flags.api ?? env.TANDEM_API_URL ?? localStackAddress(env)), headers: credential(flags, env) };
}

function apiAddress(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return url.href.replace(/\/+$/, '');
  } catch {
    throw new UsageError(`Not an API address: ${raw} (e.g. http://127.0.0.1:8080)`);
  }
}

/** The address the demo's API listens on in this checkout (ports are derived from its path). */
function localStackAddress(env: NodeJS.ProcessEnv): string {
  let printed: string;
  try {
    printed = execFileSync('bash', [`${CHECKOUT}scripts/stack.sh`, 'env'], { encoding: 'utf8', env, timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    printed = '';
  }
  const url = /^TANDEM_API_URL=(.+)$/m.exec(printed)?.[1];
  if (!url) throw new UsageError('No API address: pass --api <url> or set TANDEM_API_URL');
  return url;
}

function credential(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Record<string, string> {
  const token = flags.token ?? (flags.tokenFile ? readToken(flags.tokenFile) : undefined) ?? env.TANDEM_TOKEN ?? (env.TANDEM_TOKEN_FILE ? readToken(env.TANDEM_TOKEN_FILE) : undefined);
  if (token) return { authorization: `Bearer ${token}` };
  if (env.TANDEM_API_KEY) return { 'x-api-key': env.TANDEM_API_KEY };
  return {};
}

function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`Cannot read the token file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!text || /\s/.test(text)) throw new UsageError(`The token file ${path} must hold one token and nothing else`);
  return text;
}
