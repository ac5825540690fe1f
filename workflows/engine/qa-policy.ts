// A process's default QA sampling per client, declared with the process (its service-levels.ts).
// The API serves and changes it (api/qa-policies.ts, kept in Temporal); a run takes the policy in
// force at its start into its input, so the workflow itself never reads these declarations.
import { z } from 'zod';
import { ClientId } from './common-schemas';
import { QaSamplingSchema } from './service-level';

export const QaPolicyDefaultSchema = z
  .object({
    client: ClientId,
    since: z.iso.date().describe('When the client agreed to this sampling'),
    policy: QaSamplingSchema,
  })
  .strict();
export type QaPolicyDefault = z.infer<typeof QaPolicyDefaultSchema>;

/** Validates a process's declared defaults: one per client. */
export function defineQaPolicies(defaults: z.input<typeof QaPolicyDefaultSchema>[]): QaPolicyDefault[] {
  const parsed = defaults.map((d) => QaPolicyDefaultSchema.parse(d));
  const clients = parsed.map((d) => d.client);
  const twice = clients.find((c, i) => clients.indexOf(c) !== i);
  if (twice) throw new Error(`QA policy of ${twice} is declared twice`);
  return parsed;
}

export function qaPolicyOf(defaults: readonly QaPolicyDefault[], client: string): QaPolicyDefault | undefined {
  return defaults.find((d) => d.client === client);
}
