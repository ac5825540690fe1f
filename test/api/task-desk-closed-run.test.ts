// A decision on a run that has ended and whose task cannot be read just now (the worker replaying
// it is too busy to answer the Query): the caller of the run's client is told to send it again
// (503), anyone else learns nothing (404, as for a task that never was). Temporal is faked here:
// the case needs a Query that fails on cue, which the real server gives only under heavy load.
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { TypedSearchAttributes, WorkflowNotFoundError } from '@temporalio/common';
import { TaskDesk } from '../../api/task-desk';
import type { ProblemError } from '../../api/problems';
import type { TaskIndex } from '../../inbox/task-index';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';
import * as m from '../../contract/messages';

const RUN = 'claim-review:acme-health:CLM-1';

function endedRun(queryAnswers: boolean): Client {
  const handle = {
    executeUpdate: async () => {
      throw new WorkflowNotFoundError('workflow execution already completed', RUN, undefined);
    },
    describe: async () => ({
      status: { name: 'COMPLETED' },
      typedSearchAttributes: new TypedSearchAttributes([{ key: SEARCH_ATTRIBUTES.client, value: 'acme-health' }]),
    }),
    query: async () => {
      if (queryAnswers) return undefined;
      throw new Error('Query timed out');
    },
  };
  return { workflow: { getHandle: () => handle } } as unknown as Client;
}

const actor = (clients: string[]): m.Actor => ({ operatorId: 'ana.lima', teams: ['claims-review'], clients, roles: ['operator'] });

async function refusal(desk: TaskDesk, clients: string[]): Promise<number | undefined> {
  try {
    await desk.update(m.completeTaskUpdate, { taskId: `${RUN}.t1`, actor: actor(clients), action: 'approve', data: {} }, 'u-1');
  } catch (err) {
    return (err as ProblemError).problem?.status;
  }
  return undefined;
}

describe('a decision on an ended run whose task cannot be read', () => {
  it('asks the run’s own client to send it again, and tells nobody else the run exists', async () => {
    const desk = new TaskDesk(endedRun(false), {} as TaskIndex);
    expect(await refusal(desk, ['acme-health'])).toBe(503);
    expect(await refusal(desk, ['globex-insurance'])).toBe(404);
  });

  it('answers 404 when the ended run has no such task', async () => {
    const desk = new TaskDesk(endedRun(true), {} as TaskIndex);
    expect(await refusal(desk, ['acme-health'])).toBe(404);
  });
});
