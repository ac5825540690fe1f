// Looks for seeded secret values everywhere a careless system leaks them: run histories (every
// payload decoded, as an operator with the key would see it), logs, error replies, and the bots'
// artifacts (screenshots' bytes and metadata, and every file inside the trace zips).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { readZipEntries } from './zip';
import { EncryptedCredentialStore } from '../../activities/credentials';
import { CredentialKeys } from '../../bots/runtime/credential-keys';
import type { TandemConfig } from '../../platform/config';

const isPayload = (v: unknown): v is Payload =>
  typeof v === 'object' && v !== null && 'metadata' in v && 'data' in v && (v as Payload).data instanceof Uint8Array;

/** The history as text, with every payload decoded through the client's codecs. */
export async function decodedHistoryText(client: Client, workflowId: string, runId?: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const payloads: Payload[] = [];
  const walk = (node: unknown): void => {
    if (isPayload(node)) payloads.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object' && !(node instanceof Uint8Array)) Object.values(node).forEach(walk);
  };
  walk(history);
  let decoded = payloads;
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  for (let i = codecs.length - 1; i >= 0; i--) decoded = await codecs[i]!.decode(decoded);
  const values = decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
  return JSON.stringify(history) + '\n' + values.join('\n');
}

/** Every artifact file's bytes as text; a zip (Playwright trace) contributes each of its entries. */
export function artifactTexts(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) visit(full);
      else if (name.endsWith('.zip')) for (const [entry, bytes] of readZipEntries(full)) out.set(`${full}!${entry}`, bytes.toString('latin1'));
      else out.set(full, readFileSync(full).toString('latin1'));
    }
  };
  visit(dir);
  return out;
}

/** Names of the places (keys) where any secret appears. */
export function leaks(places: Map<string, string>, secrets: string[]): string[] {
  return [...places].filter(([, text]) => secrets.some((s) => text.includes(s))).map(([where]) => where);
}

/** Every password in the stack's (encrypted) credential store, plus the keys that protect the store and the histories. */
export async function storedSecrets(config: TandemConfig): Promise<string[]> {
  const store = new EncryptedCredentialStore({ file: config.credentialsFile, keys: new CredentialKeys(config.credentialsKey) });
  const passwords = await Promise.all((await store.list()).map(async ({ name }) => (await store.resolve(name)).password));
  const keyLines = (file: string | undefined) =>
    file && existsSync(file) ? readFileSync(file, 'utf8').split('\n').map((l) => l.split(':')[1]?.trim()).filter((v): v is string => Boolean(v)) : [];
  return [...passwords, ...keyLines(config.payloadKeys.file), ...keyLines(config.credentialsKey.file)];
}
