// A task form is the one definition of what an operator may decide on a human task: the workflow's
// Update validator parses decisions with it, the API validates requests with it, and its JSON
// Schema is served to the inbox for rendering. zod is pure and deterministic, so it is safe in
// the workflow sandbox.
import { z } from 'zod';

export type DecisionSchema = z.ZodDiscriminatedUnion<
  readonly z.ZodObject<{ action: z.ZodLiteral<string>; data: z.ZodType }>[],
  'action'
>;

export interface TaskForm<S extends DecisionSchema = DecisionSchema> {
  /** Globally unique kind, `<process>.<step>`, e.g. `claim-review.review`. */
  readonly kind: string;
  readonly title: string;
  /** `{ action, data }` union: one member per action the operator can take. */
  readonly decision: S;
  /**
   * The data an action's form starts from, made from the task's context (the item's current data
   * for fix-and-retry, what was entered for a QA correction). Served with the task
   * (GET /tasks/{taskId}); never read by the workflow, which validates what comes back.
   */
  readonly prefill?: (context: Record<string, unknown>) => Record<string, Record<string, unknown>>;
}

export type TaskDecision<F extends TaskForm> = z.infer<F['decision']>;

export function defineTaskForm<S extends DecisionSchema>(form: TaskForm<S>): TaskForm<S> {
  return form;
}

/** The action names a form offers, in declaration order. */
export function formActions(form: TaskForm): string[] {
  return form.decision.options.map((option) => option.shape.action.value as string);
}

export interface DecisionIssue {
  /** Dotted path of the offending field, e.g. `data.amountCents`. */
  field: string;
  message: string;
}

export type DecisionCheck =
  | { ok: true; decision: { action: string; data: unknown } }
  | { ok: false; issues: DecisionIssue[] };

/** Parses an operator's decision against the form; issues name the offending field. */
export function checkDecision(form: TaskForm, candidate: unknown): DecisionCheck {
  const parsed = form.decision.safeParse(candidate);
  if (parsed.success) return { ok: true, decision: parsed.data as { action: string; data: unknown } };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
    })),
  };
}
