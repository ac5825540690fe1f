// Lint: type-aware checks everywhere, and a fence around workflow code so determinism is kept by
// construction (workflow files may import only the Temporal workflow API, zod and our own
// deterministic modules), as in temporalio/samples-typescript. The fence covers exactly the files
// the orchestration worker's bundle takes in, found from the bundle's entries by following their
// imports (test/structure/import-graph.js): no file is exempt by its name, and a module the bundle
// starts to import is fenced from then on, wherever it lives. The shared contract (contract/) is
// fenced whole, since it is there for workflow code to import.
import tseslint from 'typescript-eslint';
import { bundleFiles } from './test/structure/import-graph.js';

const WORKFLOW_FORBIDDEN = [
  { group: ['node:*', 'fs', 'fs/*', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process', 'worker_threads'], message: 'Workflow code is deterministic: no Node built-ins.' },
  { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'], message: 'Workflow code imports only @temporalio/workflow (and types).' },
  { group: ['ioredis', 'bullmq', 'playwright', 'playwright-core', 'fastify', 'fastify-*', '@fastify/*', 'pino'], message: 'I/O belongs in activities, not in workflow code.' },
  { group: ['**/activities/*', '**/bots/*', '**/api/*', '**/platform/*', '**/inbox/*', '**/bot-steps'], message: 'Only types may come from outside the workflow sandbox.', allowTypeImports: true },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.state/**', 'bench/out/**', 'api/openapi.json'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The bundle's files, and the whole shared contract (made for the bundle to import).
    files: [...bundleFiles(import.meta.dirname), 'contract/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: WORKFLOW_FORBIDDEN }] },
  },
);
