import { defineConfig } from 'vitest/config';

// Tests against the real Temporal server binary (the cluster profile's, built once a machine in
// about 10 minutes): their own command, `npm run test:server`, so a fresh clone's `npm test` does
// not pay that build. They start what they need themselves; no shared test stack.
export default defineConfig({
  test: {
    include: ['test/server/**/*.test.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 90_000,
    hookTimeout: 1_800_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
