// Shapes of the API's responses, defined once in zod: they serialise the replies and generate the
// OpenAPI document. Payload types come from the engine's messages, so drift fails the typecheck.
import { z } from 'zod';
import { AttendedRun } from './attended/schemas';

const Iso = z.string().describe('ISO 8601 timestamp');

export const DecidedBy = z.object({ operatorId: z.string(), team: z.string(), client: z.string() });

export const TaskClaim = z.object({ operatorId: z.string(), leaseId: z.string(), claimedAt: Iso, until: Iso });

export const TaskView = z.object({
  taskId: z.string(),
  runId: z.string(),
  process: z.string(),
  client: z.string(),
  businessRef: z.string(),
  kind: z.string(),
  title: z.string(),
  team: z.string(),
  assignee: z.string().optional(),
  priority: z.number().int(),
  createdAt: Iso,
  dueAt: Iso.optional(),
  status: z.enum(['open', 'claimed', 'completed', 'cancelled']),
  actions: z.array(z.string()),
  context: z.record(z.string(), z.unknown()),
  bots: z.array(z.string()),
  claim: TaskClaim.optional(),
  labels: z.array(z.string()),
  comments: z.array(z.object({ by: z.string(), at: Iso, text: z.string() })),
  escalated: z.object({ by: z.string(), at: Iso, reason: z.string(), fromTeam: z.string() }).optional(),
  events: z.array(z.object({ at: Iso, by: z.string(), event: z.string(), note: z.string().optional() })),
  sla: z
    .object({ dueAt: Iso, breachedAt: Iso.optional(), fired: z.array(z.object({ rung: z.number().int(), action: z.string(), at: Iso })) })
    .optional()
    .describe('The task’s service level: due time, breach, escalation rungs fired'),
  version: z.number().int(),
  decision: z
    .object({ action: z.string(), data: z.unknown(), decidedBy: DecidedBy, decidedAt: Iso, updateId: z.string() })
    .optional(),
  attendedRuns: z.array(AttendedRun).optional().describe('Attended bot runs started from the task, oldest first'),
});

export const TaskDetail = TaskView.extend({
  form: z
    .object({
      kind: z.string(),
      jsonSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of the whole { action, data } decision'),
      actions: z.record(z.string(), z.record(z.string(), z.unknown())).describe('JSON Schema of each action’s data'),
      prefill: z
        .record(z.string(), z.record(z.string(), z.unknown()))
        .optional()
        .describe('Data an action’s form starts from, by action: fix-and-retry the item’s current data, a QA fail the entered values'),
    })
    .optional(),
  run: z
    .object({
      runId: z.string(),
      phase: z.string().optional(),
      steps: z.array(z.object({ step: z.string(), startedAt: Iso, endedAt: Iso.optional(), result: z.string().optional(), note: z.string().optional() })),
    })
    .optional(),
});

export const WaitingOn = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('human'), taskId: z.string(), team: z.string(), assignee: z.string().optional(), since: Iso }),
  z.object({ kind: z.literal('bot'), bot: z.string(), since: Iso }),
  z.object({ kind: z.literal('timer'), until: Iso, since: Iso }),
  z.object({ kind: z.literal('batch'), batchId: z.string().describe('GET /batches/{batchId}'), since: Iso }),
]);

export const RunBatch = z.object({
  batchId: z.string().describe('GET /batches/{batchId}'),
  handler: z.string().describe('The item handler doing each item’s work'),
  batchKey: z.string(),
});

export const RunStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out', 'continued_as_new']);

export const RunCancellation = z
  .object({
    by: z.string().describe('Who asked (`system`: Temporal cancelled the run without a cancel request through the API)'),
    reason: z.string(),
    requestedAt: Iso,
    compensations: z
      .array(
        z.object({
          step: z.string().describe('The step made good, e.g. `enter-decision`'),
          name: z.string().describe('The compensation the process declared, e.g. `reverse-adjudication`'),
          outcome: z.enum(['done', 'nothing-to-undo', 'failed']),
          at: Iso,
          detail: z.record(z.string(), z.unknown()).optional().describe('What it found and did (e.g. the reversal’s confirmation), or why it failed'),
        }),
      )
      .optional()
      .describe('What the run undid for steps already done; absent until the run has stopped'),
  })
  .describe('Set once the run was asked to cancel');

export const RunDetail = z.object({
  runId: z.string(),
  process: z.string(),
  client: z.string().optional(),
  businessRef: z.string().optional(),
  status: RunStatus,
  phase: z.string().optional().describe('running | waiting-human | waiting-bot | completed | failed | cancelled'),
  step: z.string().optional(),
  waitingOn: WaitingOn.optional(),
  startedAt: Iso,
  closedAt: Iso.optional(),
  sla: z.object({ dueAt: Iso, remainingMs: z.number(), breached: z.boolean(), breachedAt: Iso.optional() }).optional(),
  steps: z.array(
    z.object({ step: z.string(), startedAt: Iso, endedAt: Iso.optional(), result: z.string().optional(), note: z.string().optional() }),
  ),
  openTasks: z.array(TaskView),
  batches: z.array(RunBatch).optional().describe('Item batches the run started'),
  outcome: z.unknown().optional(),
  failure: z.object({ message: z.string(), type: z.string().optional() }).optional(),
  cancellation: RunCancellation.optional(),
});

export const RunStarted = z.object({
  runId: z.string(),
  process: z.string(),
  created: z.boolean().describe('False when the Idempotency-Key matched an earlier start'),
  url: z.string(),
});

export const ProcessSummary = z.object({
  name: z.string(),
  version: z.string(),
  title: z.string(),
  description: z.string(),
  startUrl: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
  scheduleInputSchema: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Present when scheduled runs take their input from the fire time: what a schedule of this process holds (POST /schedules input); each fire computes the rest'),
  taskForms: z.array(z.object({ kind: z.string(), title: z.string(), actions: z.array(z.string()), jsonSchema: z.record(z.string(), z.unknown()) })),
  compensations: z
    .array(z.object({ step: z.string(), name: z.string(), description: z.string() }))
    .optional()
    .describe('What a cancelled run undoes for steps already done (POST /runs/{runId}/cancel); absent: it only stops and withdraws its tasks'),
});

/** Where a queue answer came from, when a dependency is away (platform/dependencies). */
export const QueueSource = {
  source: z.enum(['index', 'temporal']).optional().describe('index: the Redis inbox index (normal); temporal: read from Temporal visibility because the index cannot answer'),
  degraded: z
    .object({ reason: z.string(), since: z.string().optional(), slower: z.literal(true), possiblyIncomplete: z.literal(true) })
    .optional()
    .describe('Set when read from Temporal: slower, and runs visibility has not caught up with (or that did not answer in time) are missing'),
  stale: z
    .object({ reason: z.string(), since: z.string() })
    .optional()
    .describe('Set when Temporal is away: the index as it was; changes since then are not in it, and nothing can be recorded now'),
};

export const TaskPage = z.object({
  team: z.string(),
  tasks: z.array(TaskView),
  total: z.number().int().describe('Tasks in the queue before filters'),
  nextCursor: z.string().optional(),
  ...QueueSource,
});

export const TeamParam = z.object({ team: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'Not a team name') });

const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const TaskQueryString = z.object({
  status: z.enum(['open', 'claimed', 'active']).default('active'),
  client: z.string().max(64).optional(),
  process: z.string().max(64).optional(),
  priority: z.coerce.number().int().min(1).max(5).optional(),
  overdue: Flag.optional(),
  assignee: z.string().max(100).optional().describe('An operator id, `me`, or `none`'),
  q: z.string().max(100).optional().describe('Text in the business reference or title'),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const OperatorView = z.object({ operatorId: z.string(), name: z.string(), teams: z.array(z.string()), clients: z.array(z.string()), roles: z.array(z.string()) });

const Decision = {
  action: z.string().min(1).max(64).describe('One of the task’s actions, e.g. approve, reject, correct'),
  data: z.record(z.string(), z.unknown()).default({}).describe('The form data for that action'),
};
const LeaseId = z.string().min(1).max(100);

export const CompleteTaskBody = z
  .object({ ...Decision, leaseId: LeaseId.optional().describe('The lease the decision was made under (from take-next or claim)') })
  .strict();

export const BulkCompleteBody = z.object({ taskIds: z.array(z.string().min(1).max(220)).min(1).max(100), ...Decision }).strict();

export const ClaimBody = z.object({ leaseMs: z.number().int().min(1_000).max(3_600_000).optional() }).strict();
export const LeaseBody = z.object({ leaseId: LeaseId }).strict();
export const ReleaseBody = z.object({ leaseId: LeaseId.optional() }).strict();
export const ReassignBody = z
  .object({ team: z.string().min(1).max(64).optional(), assignee: z.string().min(1).max(100).nullable().optional() })
  .strict();
export const EscalateBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();
export const CommentBody = z.object({ text: z.string().trim().min(1).max(2000) }).strict();
export const LabelBody = z
  .object({ add: z.array(z.string().max(40)).max(20).optional(), remove: z.array(z.string().max(40)).max(20).optional() })
  .strict();

export const CompleteTaskReply = z.object({
  taskId: z.string(),
  team: z.string(),
  version: z.number().int(),
  status: z.literal('completed'),
  action: z.string(),
  decidedBy: DecidedBy,
  decidedAt: Iso,
  replayed: z.boolean(),
});

export const BulkCompleteReply = z.object({
  results: z.array(
    z.discriminatedUnion('ok', [
      z.object({ taskId: z.string(), ok: z.literal(true), result: CompleteTaskReply }),
      z.object({ taskId: z.string(), ok: z.literal(false), problem: z.record(z.string(), z.unknown()) }),
    ]),
  ),
});

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces')
  .optional()
  .describe('Repeat a call safely: the same key returns the same result');

export const RunIdParam = z.object({ runId: z.string().min(1).max(200).regex(/^[A-Za-z0-9._:-]+$/, 'Not a run id') });
export const TaskIdParam = z.object({ taskId: z.string().min(1).max(220).regex(/^[A-Za-z0-9._:-]+\.t\d+$/, 'Not a task id') });
