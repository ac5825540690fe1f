// Service levels a process declares: when a task or a run is due, in elapsed or business time,
// and the escalation ladder that follows a task's breach. Deadlines are durable timers in the
// run (see ProcessRun), never a poller.
import { addBusinessTime, type BusinessCalendar } from './business-calendar';

export type EscalationRung =
  /** Remind whoever holds the task (or its team). */
  | { afterMs: number; action: 'remind' }
  /** Take it from the operator holding it and put it back in the team's queue. */
  | { afterMs: number; action: 'reassign-team' }
  /** Move it to a supervisors' team, more urgent. */
  | { afterMs: number; action: 'escalate'; toTeam: string; raisePriority?: number }
  /** Decide it automatically (the decision must fit the task's form). */
  | { afterMs: number; action: 'auto-decide'; decision: { action: string; data: Record<string, unknown> } };

export interface TaskSla {
  /** Time allowed from the task opening to its decision. */
  withinMs: number;
  /** Count business time in this calendar instead of elapsed time. */
  calendar?: BusinessCalendar;
  /** Rungs after the breach, each `afterMs` past the due time (in the same clock). */
  ladder?: EscalationRung[];
}

export interface RunSla {
  /** Done within this long after the run started… */
  withinMs?: number;
  /** …or done by this local time (e.g. 06:00 client time), whichever the process declares. */
  doneBy?: { localTime: string; timeZone: string };
}

/** `start` plus `ms`, in elapsed time or in the calendar's business time. */
export function deadlineAfter(start: Date, ms: number, calendar?: BusinessCalendar): Date {
  return calendar ? addBusinessTime(start, ms, calendar) : new Date(start.getTime() + ms);
}

/** The breach (stage -1) and each rung, with when it fires. */
export function slaStages(openedAt: Date, sla: TaskSla): Array<{ rung: number; at: Date; step?: EscalationRung }> {
  return [
    { rung: -1, at: deadlineAfter(openedAt, sla.withinMs, sla.calendar) },
    ...(sla.ladder ?? []).map((step, rung) => ({ rung, step, at: deadlineAfter(openedAt, sla.withinMs + step.afterMs, sla.calendar) })),
  ];
}
