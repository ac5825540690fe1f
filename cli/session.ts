// What every command needs: the API, reached as the global flags and the environment say, and
// whether to print JSON.
import { InvalidArgumentError, type Command } from 'commander';
import { TandemApi } from './api-client';
import { resolveConnection, type ConnectionFlags } from './connection';
import type { OutputFlags } from './output';

export type GlobalFlags = ConnectionFlags & OutputFlags;

export interface Session {
  api: TandemApi;
  out: OutputFlags;
}

export function session(command: Command): Session {
  const flags = command.optsWithGlobals<GlobalFlags>();
  return { api: new TandemApi(resolveConnection(flags)), out: { json: flags.json } };
}

/** Commander's parser for whole-number options; a bad one is a usage error. */
export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('Not a whole number.');
  return n;
}
