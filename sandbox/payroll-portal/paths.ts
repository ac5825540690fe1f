// The portal's URLs, in one place so routes and the links on pages cannot drift apart.
const enc = encodeURIComponent;

export const employeesPath = (page = 1): string => `/employees?page=${page}`;
export const timesheetPath = (period: string, page = 1): string => `/payroll/${enc(period)}/timesheet?page=${page}`;
export const payrollPath = (period: string): string => `/payroll/${enc(period)}`;
export const submitPath = (period: string): string => `/payroll/${enc(period)}/submit`;
export const adjustmentsPath = (period: string, employeeId: string): string => `/payroll/${enc(period)}/employees/${enc(employeeId)}/adjustments`;
export const newAdjustmentPath = (period: string, employeeId: string): string => `${adjustmentsPath(period, employeeId)}/new`;
