import { defineProcess } from '../engine/process-definition';
import { payrollRun } from './workflow';
import { payrollRunSchedule } from './schedule';
import { approveTotalsForm, PayrollRunInput, payrollStepExceptionForm, timesheetLineExceptionForm } from './schema';

export const payrollRunProcess = defineProcess({
  name: 'payroll-run',
  version: '1',
  title: 'Payroll run',
  description:
    'Nightly, unattended: a bot pulls the period’s timesheet export from the client’s payroll portal and enters the pay ' +
    'adjustments it calls for (lines failing validation go to payroll-ops to correct); payroll-supervisors approve the ' +
    'totals; the bot then submits the payroll exactly once.',
  workflow: payrollRun,
  input: PayrollRunInput,
  taskForms: [timesheetLineExceptionForm, approveTotalsForm, payrollStepExceptionForm],
  clientOf: (input) => input.client,
  businessRefOf: (input) => input.period,
  schedule: payrollRunSchedule,
});
