// Mutation testing: `pnpm mutation` (all files below), or a scoped run:
//   pnpm mutation --mutate "packages/core/src/lifecycle/**/*.ts"
// Reports land in reports/mutation/ (gitignored); the scores are summarised in docs/testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  // Under pnpm the runner is not found by Stryker's default plugin glob.
  plugins: ['@stryker-mutator/vitest-runner'],
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mts', related: false },
  checkers: [],
  mutate: [
    'packages/core/src/**/*.ts',
    '!packages/core/src/index.ts',
    '!packages/core/src/types.ts',
    '!packages/core/src/auth/types.ts',
    'packages/testing/src/policy.ts',
    'packages/testing/src/jwt.ts',
    'packages/testing/src/token-store.ts',
    // The HCL reader the policy parser stands on.
    'packages/testing/src/hcl.ts',
  ],
  coverageAnalysis: 'perTest',
  // Two cores shared with other work: one test process at a time.
  concurrency: 1,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['reports', 'bench/results', 'apps/**/dist', 'packages/**/dist', 'deploy'],
  cleanTempDir: 'always',
};
