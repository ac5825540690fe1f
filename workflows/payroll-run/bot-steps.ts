// PayrollRun's bot steps, run on the bot worker (never imported by the workflow bundle).
import { z } from 'zod';
import { defineBotActivity, type BotContext, type BotRuntime } from '../../activities/bots/bot-activity';
import { performOnce } from '../../activities/bots/exactly-once';
import { PayrollPortal } from '../../bots/payroll-portal/payroll-portal';
import type {
  AdjustmentReceipt,
  EnterAdjustmentInput,
  PayrollBotInput,
  PayrollRunBots,
  PayrollSubmission,
  PayrollTotals,
  SubmitPayrollInput,
  TimesheetExport,
} from './bots';
import { TimesheetLine } from './timesheet';

export const PAYROLL_PORTAL = 'payroll-portal';

async function signIn(bot: BotContext, input: PayrollBotInput): Promise<PayrollPortal> {
  const portal = new PayrollPortal(bot.page, bot.apps.urlOf(input.client, PAYROLL_PORTAL));
  await portal.login(await bot.credential(input.credential));
  return portal;
}

/** What `pullTimesheetExport` heartbeats after each page: enough to carry on from the next one. */
const ExportProgress = z.object({
  period: z.string(),
  nextPage: z.number().int().min(1),
  pages: z.number().int().min(1),
  lines: z.array(TimesheetLine),
});
type ExportProgress = z.infer<typeof ExportProgress>;

/** The previous attempt's progress on this period, if it left any that still reads. */
function resumeFrom(bot: BotContext, period: string): ExportProgress | undefined {
  const parsed = ExportProgress.safeParse(bot.resume);
  return parsed.success && parsed.data.period === period ? parsed.data : undefined;
}

/**
 * Reads the period's whole timesheet export. After each page the lines so far and the next page go
 * out with the heartbeat, so a retried attempt (a crash, a 500 on page 17) starts where the last
 * one stopped instead of paging through the export again.
 */
async function pullTimesheetExport(bot: BotContext, input: PayrollBotInput): Promise<TimesheetExport> {
  const resumed = resumeFrom(bot, input.period);
  if (resumed && resumed.nextPage > resumed.pages) return { period: input.period, lines: resumed.lines, pages: resumed.pages };
  const portal = await signIn(bot, input);
  const lines = [...(resumed?.lines ?? [])];
  const { pages } = await portal.readTimesheet(input.period, {
    fromPage: resumed?.nextPage ?? 1,
    onPage(pageNo, pageLines, pageCount) {
      lines.push(...pageLines);
      bot.progress({ period: input.period, nextPage: pageNo + 1, pages: pageCount, lines: [...lines] } satisfies ExportProgress);
    },
  });
  return { period: input.period, lines, pages };
}

async function enterAdjustment(bot: BotContext, input: EnterAdjustmentInput): Promise<AdjustmentReceipt> {
  const portal = await signIn(bot, input);
  const { employeeId, kind, hours, amountCents, note } = input.adjustment;
  const { value, performed } = await performOnce({
    find: () => portal.findAdjustment(employeeId, input.period, input.reference),
    perform: () => portal.enterAdjustment(employeeId, input.period, { kind, hours, amountCents, note, reference: input.reference }),
  });
  bot.progress({ entered: performed, confirmation: value.confirmation });
  return { reference: value.reference, confirmation: value.confirmation, entered: performed };
}

async function readPayrollTotals(bot: BotContext, input: PayrollBotInput): Promise<PayrollTotals> {
  const portal = await signIn(bot, input);
  return { period: input.period, ...(await portal.readTotals(input.period)) };
}

async function submitPayroll(bot: BotContext, input: SubmitPayrollInput): Promise<PayrollSubmission> {
  const portal = await signIn(bot, input);
  const { value, performed } = await performOnce({
    find: () => portal.findSubmission(input.period, input.reference),
    perform: () =>
      portal.submitPayroll(input.period, { reference: input.reference, expectedAdjustmentsTotalCents: input.expectedAdjustmentsTotalCents }),
  });
  bot.progress({ submitted: performed, confirmation: value.confirmation });
  return { reference: value.reference, confirmation: value.confirmation, submitted: performed };
}

/** The raw steps, for tests that drive them with their own BotContext. */
export const payrollRunSteps = { pullTimesheetExport, enterAdjustment, readPayrollTotals, submitPayroll };

export function createPayrollRunBots(runtime: BotRuntime): PayrollRunBots {
  return {
    pullTimesheetExport: defineBotActivity(runtime, pullTimesheetExport),
    enterAdjustment: defineBotActivity(runtime, enterAdjustment),
    readPayrollTotals: defineBotActivity(runtime, readPayrollTotals),
    submitPayroll: defineBotActivity(runtime, submitPayroll),
  };
}

/** The bot worker finds this folder's bot steps by this default export (workers/bot-activities.ts). */
export default createPayrollRunBots;
