// The runs behind each figure of a KPI report, for the portal's drill-down: one SQL condition per
// figure, matching the rules in kpis.ts (delivered items by their close, exceptions by their entry),
// so the list behind a number has exactly that number of runs.
import { z } from 'zod';

export const RunFigure = z
  .enum(['completed', 'within-target', 'breached', 'straight-through', 'human-touched', 'qa-reviewed', 'qa-failed', 'business-exception', 'system-exception', 'failed', 'cancelled'])
  .describe('Which figure’s runs: completed items, those within or past the turnaround target, straight-through, touched by an operator, QA-reviewed or failed, with an exception, failed or cancelled');
export type RunFigure = z.infer<typeof RunFigure>;

/** The condition, and whether the figure counts runs by the time they entered (else by their close). */
export const FIGURE_SQL: Record<RunFigure, { where: string; byEntry?: true }> = {
  completed: { where: "status = 'completed'" },
  'within-target': { where: "status = 'completed' AND within_target" },
  breached: { where: "status = 'completed' AND NOT within_target" },
  'straight-through': { where: "status = 'completed' AND human_tasks = 0 AND len(business_exceptions) = 0" },
  'human-touched': { where: "status = 'completed' AND human_tasks > 0" },
  'qa-reviewed': { where: "status = 'completed' AND qa_result IS NOT NULL" },
  'qa-failed': { where: "status = 'completed' AND qa_result = 'fail'" },
  'business-exception': { where: 'len(business_exceptions) > 0', byEntry: true },
  'system-exception': { where: 'len(system_exceptions) > 0', byEntry: true },
  failed: { where: "status = 'failed'" },
  cancelled: { where: "status = 'cancelled'" },
};
