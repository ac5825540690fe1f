// Prints the payroll portal's bot logins as JSON, for scripts that provision Tandem's credential store.
import { BOT_CREDENTIALS } from './seed';

process.stdout.write(`${JSON.stringify(BOT_CREDENTIALS, null, 2)}\n`);
