#!/usr/bin/env node
// `tandem` (package.json's bin): runs the TypeScript CLI through tsx, found beside this file, so
// the command works from any directory and through a symlink on PATH, not only via npx.
import { register } from 'tsx/esm/api';

register();
await import('./tandem.ts');
