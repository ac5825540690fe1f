// What every screen route of the portal shares: its session cookie, HTML replies and the period parameter.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { sendHtml, type Authenticate as SessionCheck } from '../shared/sign-in';
import { refusalPage } from './pages';
import { PERIOD_PATTERN } from './timesheets';
import type { SeedLogin } from './types';

export const SESSION_COOKIE = 'payroll_session';

export { formField, sendHtml } from '../shared/sign-in';
export const PageQuery = z.object({ page: z.coerce.number().int().min(1).catch(1).default(1) });
export const PeriodParams = z.object({ period: z.string().min(1).max(32) });
export const EmployeeParams = PeriodParams.extend({ employeeId: z.string().min(1).max(64) });

export type Authenticate = SessionCheck<SeedLogin>;

/** Answers 404 for anything that is not a pay period (`YYYY-MM`); true when it did. */
export function refuseUnknownPeriod(reply: FastifyReply, login: SeedLogin, period: string): boolean {
  if (PERIOD_PATTERN.test(period)) return false;
  void sendHtml(reply, 404, refusalPage(login, 'Pay period not found', 'period-not-found', `There is no pay period ${period}.`));
  return true;
}
