// API keys for machine callers (schedulers, CI). Only a SHA-256 of each key is stored: keys are
// long random strings, so a slow hash adds nothing, and a leaked file reveals no usable key.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ROLES, type Principal } from './principal';

const KeyFile = z.array(
  z.object({
    id: z.string().min(1).max(64),
    name: z.string().min(1).max(200),
    /** hex SHA-256 of the key */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    roles: z.array(z.enum(ROLES)).min(1),
    clients: z.array(z.string()).default([]),
    teams: z.array(z.string()).default([]),
  }),
);
export type ApiKeyRecord = z.infer<typeof KeyFile>[number];

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

export class ApiKeys {
  constructor(private readonly records: ApiKeyRecord[]) {}

  static fromFile(path?: string): ApiKeys {
    return new ApiKeys(path ? KeyFile.parse(JSON.parse(readFileSync(path, 'utf8'))) : []);
  }

  /** A new key and the record to store for it (the key itself is shown once, never stored). */
  static issue(record: Omit<ApiKeyRecord, 'sha256'>): { key: string; record: ApiKeyRecord } {
    const key = `tdm_${record.id}_${randomBytes(24).toString('base64url')}`;
    return { key, record: { ...record, sha256: digest(key).toString('hex') } };
  }

  find(key: string): Principal | undefined {
    const given = digest(key);
    const match = this.records.find((r) => timingSafeEqual(Buffer.from(r.sha256, 'hex'), given));
    return match && { kind: 'service', id: match.id, name: match.name, roles: match.roles, teams: match.teams, clients: match.clients };
  }
}
