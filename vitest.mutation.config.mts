/**
 * The tests Stryker runs for every mutant: unit tests on the injected clock, plus two small files
 * that call the in-process dev server (vault-ops, scrub; milliseconds each). The larger integration
 * suites stay out: every mutant of options.ts or manager.ts is covered by all of them, which makes a
 * run take hours on two cores. Code only they reach counts as "no coverage" in the score.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/** Tests that wait in real time (a Retry-After, a timeout, a TTL): left out by name. */
const SLOW = [
  '(real timers)',
  'honours Retry-After',
  '500 then 429 on the read are retried',
  'a hanging Vault is bounded',
  'node-vault debug output',
  'a token expires at its TTL',
];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      // The core: unit tests on the injected clock (lifecycle/vault-ops.test.ts uses the dev server).
      'packages/core/test/lifecycle/**/*.test.ts',
      'packages/core/test/*.unit.test.ts',
      'packages/core/test/errors.test.ts',
      'packages/core/test/json.test.ts',
      'packages/core/test/logging.test.ts',
      'packages/core/test/options.test.ts',
      'packages/core/test/proxy.test.ts',
      'packages/core/test/retry.test.ts',
      'packages/core/test/values.test.ts',
      'packages/core/test/scrub.integration.test.ts',
      // The HTTP layer against small local HTTP(S) servers (milliseconds; the 16 MiB body tests ~1 s).
      'packages/core/test/http/**/*.test.ts',
      // The manager over the in-process dev server on the injected clock (well under a second each).
      'packages/core/test/manager/*.test.ts',
      'packages/core/test/transport-abort.test.ts',
      // The dev server's policy, JWT and token code: its unit tables and its fast HTTP tests.
      'packages/testing/test/*.unit.test.ts',
      'packages/testing/test/acl-priority.test.ts',
      'packages/testing/test/jwt-claims.test.ts',
      'packages/testing/test/policy-grammar.test.ts',
      'packages/testing/test/acl.test.ts',
      'packages/testing/test/auth.test.ts',
      'packages/testing/test/auth-roles.test.ts',
      'packages/testing/test/token-wrapping-help.test.ts',
    ],
    // Unit tests import the sources: no build needed.
    globalSetup: [],
    testNamePattern: new RegExp(`^(?!.*(?:${SLOW.map(escape).join('|')}))`),
  },
});
