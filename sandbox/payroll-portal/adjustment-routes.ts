import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { EMPTY_ADJUSTMENT, readAdjustmentValues, validateAdjustment } from './adjustment-form';
import { adjustmentFormPage, adjustmentSavedPage, adjustmentsListPage } from './adjustment-pages';
import type { PayrollLedger } from './ledger';
import { refusalPage } from './pages';
import type { PayrollBook } from './payroll-book';
import { adjustmentsPath } from './paths';
import type { QuirkState } from './quirks';
import { EmployeeParams, refuseUnknownPeriod, sendHtml, type Authenticate } from './route-kit';
import type { SeedEmployee, SeedLogin } from './types';

export interface AdjustmentDeps {
  book: PayrollBook;
  ledger: PayrollLedger;
  quirks: QuirkState;
  authenticate: Authenticate;
}

/** Pay adjustments of one employee in one period: the list, the form and saving it. */
export const adjustmentRoutes: FastifyPluginAsyncZod<AdjustmentDeps> = async (app, { book, ledger, quirks, authenticate }) => {
  /** The employee, or undefined after answering 404 for an unknown period or employee. */
  function findEmployee(reply: FastifyReply, login: SeedLogin, period: string, employeeId: string): SeedEmployee | undefined {
    if (refuseUnknownPeriod(reply, login, period)) return undefined;
    const employee = book.employee(login.tenant, employeeId);
    if (!employee) {
      void sendHtml(reply, 404, refusalPage(login, 'Employee not found', 'employee-not-found', `No employee ${employeeId} is visible to you.`));
    }
    return employee;
  }

  /** Answers 409 when no adjustment may be entered for this employee now; true when it did. */
  function refuseClosed(reply: FastifyReply, login: SeedLogin, period: string, employee: SeedEmployee): boolean {
    const back = { href: adjustmentsPath(period, employee.employeeId), label: 'Adjustments' };
    if (book.isSubmitted(login.tenant, period)) {
      void sendHtml(reply, 409, refusalPage(login, 'Payroll locked', 'payroll-locked', `Payroll ${period} is submitted: adjustments are closed.`, back));
      return true;
    }
    if (employee.status !== 'active') {
      const message = `${employee.name} (${employee.employeeId}) is ${employee.status}: no adjustments can be entered.`;
      void sendHtml(reply, 409, refusalPage(login, 'Employee inactive', 'employee-inactive', message, back));
      return true;
    }
    return false;
  }

  app.get('/payroll/:period/employees/:employeeId/adjustments', { schema: { params: EmployeeParams } }, async (request, reply) => {
    const login = authenticate(request, reply, request.url);
    if (!login) return reply;
    const { period, employeeId } = request.params;
    const employee = findEmployee(reply, login, period, employeeId);
    if (!employee) return reply;
    const adjustments = book.adjustments(login.tenant, period, employeeId);
    return sendHtml(reply, 200, adjustmentsListPage({ login, period, employee, adjustments }));
  });

  app.get('/payroll/:period/employees/:employeeId/adjustments/new', { schema: { params: EmployeeParams } }, async (request, reply) => {
    const login = authenticate(request, reply, request.url);
    if (!login) return reply;
    const { period, employeeId } = request.params;
    const employee = findEmployee(reply, login, period, employeeId);
    if (!employee || refuseClosed(reply, login, period, employee)) return reply;
    return sendHtml(reply, 200, adjustmentFormPage({ login, period, employee, values: EMPTY_ADJUSTMENT }));
  });

  app.post('/payroll/:period/employees/:employeeId/adjustments', { schema: { params: EmployeeParams } }, async (request, reply) => {
    const { period, employeeId } = request.params;
    // A POST cannot be replayed through a redirect: send the clerk back to the list instead.
    const login = authenticate(request, reply, adjustmentsPath(period, employeeId));
    if (!login) return reply;
    const employee = findEmployee(reply, login, period, employeeId);
    if (!employee || refuseClosed(reply, login, period, employee)) return reply;

    const { confirmToken, ...values } = readAdjustmentValues(request.body);
    const result = validateAdjustment(values);
    if (!result.ok) return sendHtml(reply, 422, adjustmentFormPage({ login, period, employee, values, errors: result.errors }));
    if (confirmToken === '' && quirks.saveNeedsSecondClick()) {
      const token = randomBytes(9).toString('base64url');
      return sendHtml(reply, 200, adjustmentFormPage({ login, period, employee, values, confirmToken: token }));
    }

    const entry = await ledger.append({ tenant: login.tenant, period, employeeId, ...result.value });
    request.log.info({ employeeId, period, confirmation: entry.confirmation }, 'adjustment recorded');
    // Recorded first, answered later: the window in which a caller's timeout loses the confirmation.
    const delayMs = quirks.current.submitResponseDelayMs;
    if (delayMs > 0) await sleep(delayMs);
    return sendHtml(reply, 200, adjustmentSavedPage(login, entry));
  });
};
