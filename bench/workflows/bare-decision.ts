// The decision-latency baseline: the least a workflow can do to take a decision through a Workflow
// Update and start its next step. No validator, no task book, no search attributes, no index sync:
// what the raw SDK costs on this server, for bench/lib/decision-latency.ts to compare against.
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export const BARE_TASK_QUEUE = 'tandem-bench-bare';

export const bareDecideUpdate = defineUpdate<{ accepted: true }, [{ action: string }]>('bench.decide');

export interface BareActivities {
  /** The next step: returns when it started, by this worker's clock (checks the history's time). */
  nextStep(action: string): Promise<number>;
}

const acts = proxyActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });

export async function bareDecision(): Promise<{ action: string; startedAt: number }> {
  let action: string | undefined;
  setHandler(bareDecideUpdate, (decision) => {
    action = decision.action;
    return { accepted: true as const };
  });
  await condition(() => action !== undefined);
  const startedAt = await acts.nextStep(action!);
  return { action: action!, startedAt };
}
