// `tandem`: the command-line tool (package.json's bin; `npx tandem --help`). Everything is in
// program.ts; this file only runs it and sets the exit code.
import { main } from './program';

process.exitCode = await main(process.argv);
