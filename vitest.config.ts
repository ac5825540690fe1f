import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests live under test/ and in each process folder (workflows/<process>/*.test.ts).
    include: ['test/**/*.test.ts', 'workflows/**/*.test.ts'],
    // test/server/ needs the real Temporal server binary (a 10-minute build): npm run test:server.
    exclude: ['test/server/**', '**/node_modules/**'],
    // One shared real stack (Temporal dev server, Redis, sandbox apps) for the whole run.
    globalSetup: ['test/support/global-stack.ts'],
    // Files run one after another: on 2 cores, parallel files only fight Temporal, Chromium and
    // the workers for CPU and make timings flaky.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 90_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
