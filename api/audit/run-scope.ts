// Which client a run works for, from the search attribute set at its start: the scope the
// read-only resources (audit trail, artifacts) check before they answer.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Actor } from '../../workflows/engine/messages';
import type { ProblemError } from '../problems';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';

const TANDEM_CLIENT = SEARCH_ATTRIBUTES.client;

/** The run's client, or undefined when there is no such run. */
export async function clientOfRun(temporal: Client, runId: string): Promise<string | undefined> {
  try {
    const description = await temporal.workflow.getHandle(runId).describe();
    return description.typedSearchAttributes.get(TANDEM_CLIENT);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Throws `notFound` unless the run exists and works for one of the actor's clients: another
 *  client's run answers exactly as a missing one does, so ids cannot be probed. */
/** The run's client, if the actor serves it; otherwise the given 404. */
export async function requireRunInScope(temporal: Client, runId: string, actor: Actor, notFound: () => ProblemError): Promise<string> {
  const client = await clientOfRun(temporal, runId);
  if (!client || !actor.clients.includes(client)) throw notFound();
  return client;
}
