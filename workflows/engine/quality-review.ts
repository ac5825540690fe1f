// Four-eyes quality review: a completed item drawn by the process's sampling policy goes to the QA
// team's inbox with what was entered and the evidence; the reviewer passes it or fails it with a
// reason and, where allowed, a correction. The draw is a pure function of the policy and the item,
// so it is the same on replay and for every run of the same item.
import { z } from 'zod';
import { defineTaskForm, type TaskForm } from './task-form';
import { chooseForQa, type QaSampling } from './service-level';
import type { RunFactsLog } from './run-facts';
import type { HumanTaskView, RecordedDecision } from './messages';

const Reason = z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500);

/**
 * The QA form of a process: pass, or fail with a reason and an optional correction of this shape.
 * `entered` makes the correction's starting value from the task's context: what was entered, so
 * the reviewer changes only what is wrong (an unchanged one is no correction).
 */
export function defineQaForm<C extends z.ZodType>(kind: string, correction: C, entered?: (context: Record<string, unknown>) => Record<string, unknown> | undefined) {
  return defineTaskForm({
    kind,
    title: 'Quality review',
    prefill: (context): Record<string, Record<string, unknown>> => {
      const start = entered?.(context);
      return start ? { fail: { correction: start } } : {};
    },
    decision: z.discriminatedUnion('action', [
      z.object({ action: z.literal('pass'), data: z.object({ note: z.string().max(500).optional() }).strict() }),
      z.object({
        action: z.literal('fail'),
        data: z
          .object({
            reason: Reason,
            critical: z.boolean().default(true).describe('A critical error under the client’s taxonomy: the item fails the quality score'),
            correction: correction.optional().describe('What the bot should enter instead'),
          })
          .strict(),
      }),
    ]),
  });
}

export interface QualityReviewSpec {
  policy: QaSampling;
  form: TaskForm;
  title: string;
  /** What was entered and the evidence (e.g. the screenshot's artifact path). */
  context: Record<string, unknown>;
  /** Who decided the item (`auto` or absent: a bot did). */
  decidedBy?: string;
  amountCents?: number;
}

export interface QualityVerdict {
  result: 'pass' | 'fail';
  critical: boolean;
  reason?: string;
  correction?: unknown;
  reviewedBy: string;
}

/** The parts of a ProcessRun a review needs (structural, so this module does not import the run). */
export interface ReviewHost {
  readonly facts: RunFactsLog;
  readonly qaKey: string;
  humanTask(form: TaskForm, spec: { title: string; team: string; priority?: number; context: Record<string, unknown> }): Promise<{
    task: HumanTaskView;
    decision: { action: string; data: unknown };
    decidedBy: RecordedDecision['decidedBy'];
  }>;
}

export async function qualityReview(host: ReviewHost, spec: QualityReviewSpec): Promise<QualityVerdict | undefined> {
  const choice = chooseForQa(spec.policy, { key: host.qaKey, decidedBy: spec.decidedBy, amountCents: spec.amountCents });
  if (spec.amountCents !== undefined) host.facts.amountCents = spec.amountCents;
  host.facts.qa = { ...choice };
  if (!choice.sampled) return undefined;
  const pending = host.humanTask(spec.form, { title: spec.title, team: spec.policy.team, priority: 4, context: { ...spec.context, qa: choice } });
  const { task, decision, decidedBy } = await pending;
  host.facts.qaTask(task.taskId);
  const data = decision.data as { reason?: string; critical?: boolean; correction?: unknown };
  const verdict: QualityVerdict =
    decision.action === 'pass'
      ? { result: 'pass', critical: false, reviewedBy: decidedBy.operatorId }
      : { result: 'fail', critical: data.critical !== false, reason: data.reason, correction: spec.policy.corrections ? data.correction : undefined, reviewedBy: decidedBy.operatorId };
  host.facts.qa = { ...choice, taskId: task.taskId, result: verdict.critical ? 'fail' : 'pass', ...(verdict.reason ? { reason: verdict.reason } : {}), reviewedBy: verdict.reviewedBy, corrected: verdict.correction !== undefined };
  return verdict;
}
