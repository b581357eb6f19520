/**
 * The tests Stryker runs for every mutant: unit tests on the injected clock and the dev server's
 * in-process policy/JWT/token tests. Nothing here sleeps in real time, so a mutant that hangs a
 * timer is caught by Stryker's timeout rather than by minutes of waiting.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'packages/core/test/lifecycle/**/*.test.ts',
      'packages/core/test/*.unit.test.ts',
      'packages/core/test/errors.test.ts',
      'packages/core/test/json.test.ts',
      'packages/core/test/logging.test.ts',
      'packages/core/test/options.test.ts',
      'packages/core/test/proxy.test.ts',
      'packages/core/test/retry.test.ts',
      'packages/core/test/values.test.ts',
      'packages/testing/test/*.unit.test.ts',
    ],
    // The one test that checks a real sleep of Retry-After stays in the full suite only.
    // Unit tests import the sources: no build needed.
    globalSetup: [],
    testNamePattern: /^(?!.*\(real timers\))/,
  },
});
