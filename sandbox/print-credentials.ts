// Prints every sandbox app's bot logins as one JSON object, for the stack script to pipe into
// `scripts/credentials.ts import` (Tandem's encrypted credential store). Never to a file.
import { BOT_CREDENTIALS as CLAIMS } from './claims-system/seed';
import { BOT_CREDENTIALS as PAYROLL } from './payroll-portal/seed';
import { BOT_CREDENTIALS as CRM } from './client-crm/seed';

// Two sessions per login: as many as a default bot worker runs at once.
const SESSIONS_PER_LOGIN = 2;
const logins = { ...CLAIMS, ...PAYROLL, ...CRM };
const store = Object.fromEntries(Object.entries(logins).map(([name, login]) => [name, { ...login, maxSessions: SESSIONS_PER_LOGIN }]));

process.stdout.write(`${JSON.stringify(store, null, 2)}\n`);
