// One timesheet line of a payroll run, as an item of the run's batch: validate it (a line that
// fails goes to an operator, who corrects or skips it), then have the bot enter the adjustments
// it calls for, each exactly once through its own reference.
import { botSteps } from '../engine/bot-step';
import { defineItemHandler, ItemFailed } from '../engine/item-batch';
import { adjustmentsFor, TimesheetLine, validateTimesheetLine } from './timesheet';
import { PAYROLL_TEAM, timesheetLineExceptionForm } from './schema';
import type { PayrollRunBots } from './bots';

const bots = botSteps<PayrollRunBots>();

export const PAYROLL_LINE_HANDLER = 'payroll-run.timesheet-line';

/** The portal login a client's payroll bot uses. */
export const payrollCredential = (client: string): string => `${client}/payroll-portal`;

export const timesheetLineHandler = defineItemHandler<TimesheetLine>({
  name: PAYROLL_LINE_HANDLER,
  process: 'payroll-run',
  data: TimesheetLine,
  exceptionForm: timesheetLineExceptionForm,
  exceptionTeam: PAYROLL_TEAM,
  title: (item) => `Timesheet line ${item.data.employeeId} ${item.data.employeeName}`,
  async run(ctx) {
    const line = ctx.item.data;
    const problems = validateTimesheetLine(line);
    if (problems.length > 0) {
      throw new ItemFailed({
        kind: 'business',
        code: 'InvalidTimesheetLine',
        message: problems.map((p) => `${p.field}: ${p.message}`).join(' '),
        details: { problems },
      });
    }
    const period = ctx.batch.batchKey;
    for (const adjustment of adjustmentsFor(line)) {
      await ctx.bot('enterAdjustment', bots.enterAdjustment, {
        client: ctx.batch.client,
        credential: payrollCredential(ctx.batch.client),
        period,
        adjustment,
        reference: ctx.reference(adjustment.kind),
      });
    }
  },
});
