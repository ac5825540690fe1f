// What the trail has learnt about each task so far, read off the history as it is walked: the
// task views the run handed to the inbox index and returned from task Updates. It lets an entry
// name the task's team and client, and a correction show what the operator changed.

/** The parts of a task view (HumanTaskView) the trail uses; any process's task has them. */
export interface KnownTask {
  taskId: string;
  team: string;
  client?: string;
  context: Record<string, unknown>;
  view: Record<string, unknown>;
}

/** A transition the run made on its own (a lease lapsed, the run was cancelled), from the task's own event list. */
export interface SystemTaskEvent {
  at: string;
  event: string;
  note?: string;
}

export interface Correction {
  before?: Record<string, unknown>;
  after: Record<string, unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asTask(value: unknown): KnownTask | undefined {
  if (!isRecord(value) || typeof value.taskId !== 'string' || typeof value.team !== 'string' || !isRecord(value.context)) return undefined;
  return {
    taskId: value.taskId,
    team: value.team,
    ...(typeof value.client === 'string' ? { client: value.client } : {}),
    context: value.context,
    view: value,
  };
}

export class TaskMemory {
  private readonly tasks = new Map<string, KnownTask>();
  /** How many of each task's own events have been read: a view's event list only ever grows. */
  private readonly eventsRead = new Map<string, number>();

  /**
   * Keeps the latest view of a task. `opened` is true the first time the task is seen; `system`
   * lists the transitions the run made by itself since the last view (operators' transitions are
   * their Updates, already in the trail).
   */
  remember(value: unknown): { task: KnownTask; opened: boolean; system: SystemTaskEvent[] } | undefined {
    const task = asTask(value);
    if (!task) return undefined;
    const opened = !this.tasks.has(task.taskId);
    this.tasks.set(task.taskId, task);
    const events = Array.isArray(task.view.events) ? task.view.events : [];
    const read = this.eventsRead.get(task.taskId) ?? 0;
    this.eventsRead.set(task.taskId, Math.max(read, events.length));
    const system = events
      .slice(read)
      .filter((e): e is Record<string, unknown> => isRecord(e) && e.by === 'system' && e.event !== 'opened' && typeof e.event === 'string')
      .map((e) => ({ at: String(e.at), event: String(e.event), ...(typeof e.note === 'string' ? { note: e.note } : {}) }));
    return { task, opened, system };
  }

  get(taskId: unknown): KnownTask | undefined {
    return typeof taskId === 'string' ? this.tasks.get(taskId) : undefined;
  }

  /**
   * The values a correction replaces, as the task showed them: for each field of the corrected
   * data, the same-named value in the task's context, at its top level or one object down
   * (ClaimReview's `amountCents` lives in `context.claim`). Fields with no counterpart (a reason)
   * have no "before".
   */
  correction(taskId: unknown, data: unknown): Correction | undefined {
    if (!isRecord(data)) return undefined;
    const context = this.get(taskId)?.context ?? {};
    const before: Record<string, unknown> = {};
    for (const key of Object.keys(data)) {
      const found = lookUp(context, key);
      if (found.found) before[key] = found.value;
    }
    return { ...(Object.keys(before).length ? { before } : {}), after: data };
  }
}

function lookUp(context: Record<string, unknown>, key: string): { found: boolean; value?: unknown } {
  if (Object.hasOwn(context, key)) return { found: true, value: context[key] };
  for (const nested of Object.values(context)) {
    if (isRecord(nested) && Object.hasOwn(nested, key)) return { found: true, value: nested[key] };
  }
  return { found: false };
}
