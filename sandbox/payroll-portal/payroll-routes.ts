import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_REFERENCE_LENGTH } from './adjustment-form';
import type { PayrollLedger } from './ledger';
import { formatCents, parseAmountToCents } from './money';
import { refusalPage } from './pages';
import type { PayrollBook } from './payroll-book';
import { payrollPage, payrollSubmittedPage, type SubmitErrors, type SubmitFormValues } from './payroll-pages';
import { payrollPath } from './paths';
import type { QuirkState } from './quirks';
import { formField, PeriodParams, refuseUnknownPeriod, sendHtml, type Authenticate } from './route-kit';

export interface PayrollDeps {
  book: PayrollBook;
  ledger: PayrollLedger;
  quirks: QuirkState;
  authenticate: Authenticate;
}

function validateSubmit(values: SubmitFormValues): { ok: true; reference: string; expectedCents: number } | { ok: false; errors: SubmitErrors } {
  const errors: SubmitErrors = {};
  const reference = values.reference.trim();
  if (reference === '') errors.reference = 'Your reference is required.';
  else if (reference.length > MAX_REFERENCE_LENGTH) errors.reference = `Your reference must be at most ${MAX_REFERENCE_LENGTH} characters.`;
  const expectedCents = parseAmountToCents(values.expectedTotal);
  if (expectedCents === undefined) errors.expectedTotal = 'Enter the adjustments total you expect, with at most 2 decimals.';
  if (expectedCents === undefined || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, reference, expectedCents };
}

/** A period's payroll: its totals, its submissions and submitting it (which locks adjustments). */
export const payrollRoutes: FastifyPluginAsyncZod<PayrollDeps> = async (app, { book, ledger, quirks, authenticate }) => {
  app.get('/payroll/:period', { schema: { params: PeriodParams } }, async (request, reply) => {
    const login = authenticate(request, reply, request.url);
    if (!login) return reply;
    const { period } = request.params;
    if (refuseUnknownPeriod(reply, login, period)) return reply;
    const totals = book.totals(login.tenant, period);
    return sendHtml(reply, 200, payrollPage({ login, period, totals, submissions: book.submissions(login.tenant, period) }));
  });

  app.post(
    '/payroll/:period/submit',
    { schema: { params: PeriodParams, body: z.object({ reference: formField, expectedTotal: formField }) } },
    async (request, reply) => {
      const { period } = request.params;
      const login = authenticate(request, reply, payrollPath(period));
      if (!login) return reply;
      if (refuseUnknownPeriod(reply, login, period)) return reply;
      const back = { href: payrollPath(period), label: `Payroll ${period}` };
      if (book.isSubmitted(login.tenant, period)) {
        return sendHtml(reply, 409, refusalPage(login, 'Payroll locked', 'payroll-locked', `Payroll ${period} is already submitted.`, back));
      }
      const totals = book.totals(login.tenant, period);
      const values = { reference: request.body.reference, expectedTotal: request.body.expectedTotal };
      const result = validateSubmit(values);
      if (!result.ok) {
        return sendHtml(reply, 422, payrollPage({ login, period, totals, submissions: [], values, errors: result.errors }));
      }
      if (result.expectedCents !== totals.adjustmentsTotalCents) {
        const message = `The adjustments total is ${formatCents(totals.adjustmentsTotalCents)}, not ${formatCents(result.expectedCents)}: review the adjustments before submitting.`;
        return sendHtml(reply, 409, refusalPage(login, 'Totals changed', 'totals-changed', message, back));
      }
      const entry = await ledger.append({
        tenant: login.tenant,
        period,
        kind: 'submission',
        employeeId: null,
        hours: 0,
        amountCents: totals.adjustmentsTotalCents,
        note: '',
        reference: result.reference,
      });
      request.log.info({ period, confirmation: entry.confirmation }, 'payroll submitted');
      const delayMs = quirks.current.submitResponseDelayMs;
      if (delayMs > 0) await sleep(delayMs);
      return sendHtml(reply, 200, payrollSubmittedPage(login, entry));
    },
  );
};
