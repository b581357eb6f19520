// The mutants scripts/check-mutants.mjs applies: one documented behaviour each, the smallest edit
// that breaks it, and the tests expected to fail. `only` narrows the run to a test name pattern.
const core = (file) => `packages/core/src/${file}`;
const test = (file) => `packages/core/test/${file}`;
const dev = (file) => `packages/testing/src/${file}`;
const devTest = (file) => `packages/testing/test/${file}`;

export const MUTANTS = [
  {
    name: 'token not revoked right after a start-up-only load',
    file: core('manager.ts'),
    from: 'if (lifecycle.revokeToken) {',
    to: 'if (false && lifecycle.revokeToken) {',
    tests: [test('lifecycle.integration.test.ts')],
    only: 'start-up only',
  },
  {
    name: 'token renewal replaced by a new login (renew-self never used)',
    file: core('lifecycle/supervisor.ts'),
    from: '...(session.renewable',
    to: '...(false && session.renewable',
    tests: [test('lifecycle/supervisor.test.ts')],
  },
  {
    name: 'a refresh that changes nothing still publishes changes$ and resets loaded_at',
    file: core('manager.ts'),
    from: 'if (keys.length === 0) return keys;',
    to: '',
    tests: [test('lifecycle-scenarios.integration.test.ts')],
    only: 'changes nothing',
  },
  {
    name: 'leases not given back when a start-up fails (required keys missing)',
    file: core('manager.ts'),
    from: `.filter((l) => l.leaseId !== '')
        .map((l) => ops.revokeLease(session.token, l.leaseId, policy).catch(() => undefined)),`,
    to: `.filter(() => false)
        .map((l) => ops.revokeLease(session.token, l.leaseId, policy).catch(() => undefined)),`,
    tests: [test('lifecycle-scenarios.integration.test.ts')],
    only: 'required key gives back',
  },
  {
    name: 'dynamic reads start after the KV reads instead of beside them',
    file: core('manager.ts'),
    from: `const [reads, leases] = await Promise.allSettled([
        track(ops.readKvAll(token, kvVersion, policy)),`,
    to: `const kvFirst = track(ops.readKvAll(token, kvVersion, policy));
      await kvFirst.catch(() => undefined);
      const [reads, leases] = await Promise.allSettled([
        kvFirst,`,
    tests: [test('lifecycle.integration.test.ts')],
    only: 'beside the KV paths',
  },
  {
    name: 'renewal at 0.8 of the TTL instead of 2/3',
    file: core('lifecycle/timing.ts'),
    from: 'export const RENEW_FRACTION = 2 / 3;',
    to: 'export const RENEW_FRACTION = 0.8;',
    tests: [test('lifecycle/')],
  },
  {
    name: 'renewal spread ±1/4 instead of ±1/8',
    file: core('lifecycle/timing.ts'),
    from: 'export const RENEW_SPREAD = 1 / 8;',
    to: 'export const RENEW_SPREAD = 1 / 4;',
    tests: [test('lifecycle/')],
  },
  {
    name: 'the list of known credentials to scrub emptied',
    file: core('manager.ts'),
    from: 'return [...auth.sensitiveValues(), currentToken(), options.token, options.secretId];',
    to: 'return [];',
    tests: [test('scrub.integration.test.ts')],
  },
  {
    name: 'Retry-After ignored on 5xx answers',
    file: core('error-mapping.ts'),
    from: 'if (status >= 500) return withDelay({ retryable: true });',
    to: 'if (status >= 500) return { retryable: true };',
    tests: [test('classify.unit.test.ts'), test('failures.integration.test.ts')],
  },
  {
    name: 'KV auto-detection: a mount without a version taken for v2',
    file: core('kv.ts'),
    from: "String(info.options?.version ?? '1') === '2' ? 2 : 1",
    to: "String(info.options?.version ?? '2') === '2' ? 2 : 1",
    tests: [test('kv.unit.test.ts'), test('load.integration.test.ts')],
  },
  {
    name: 'KV auto-detection: any version but "1" taken for v2',
    file: core('kv.ts'),
    from: "String(info.options?.version ?? '1') === '2' ? 2 : 1",
    to: "String(info.options?.version ?? '1') !== '1' ? 2 : 1",
    tests: [test('kv.unit.test.ts')],
  },
  // The dev server: Vault's ACL priority and globs, and the JWT checks of hashicorp/cap.
  {
    name: 'dev server: ACL, the last matching glob wins instead of Vault’s priority',
    file: dev('policy.ts'),
    from: 'if (!best || lowerPriority(best, rule)) best = rule;',
    to: 'best = rule;',
    tests: [devTest('acl-priority.test.ts'), devTest('acl.test.ts')],
  },
  {
    name: 'dev server: ACL, + matches several segments',
    file: dev('policy.ts'),
    from: ".join('[^/]*');",
    to: ".join('.*');",
    tests: [devTest('acl-priority.test.ts'), devTest('acl.test.ts')],
  },
  {
    name: 'dev server: JWT iat in the future accepted',
    file: dev('jwt.ts'),
    from: 'if (i !== 0 && nowSeconds + LEEWAY_SECONDS < i)',
    to: 'if (false)',
    tests: [devTest('jwt-claims.test.ts'), devTest('auth.test.ts')],
  },
  {
    name: 'dev server: JWT without the 60 s clock-skew leeway',
    file: dev('jwt.ts'),
    from: 'export const LEEWAY_SECONDS = 60;',
    to: 'export const LEEWAY_SECONDS = 0;',
    tests: [devTest('jwt-claims.test.ts'), devTest('auth.test.ts')],
  },
  {
    name: 'dev server: JWT without exp accepted forever (cap bounds it at iat/nbf + 150 s)',
    file: dev('jwt.ts'),
    from: 'exp = e0 === 0 ? Math.max(i, n0) + CAP_DEFAULT_LEEWAY_SECONDS : e0;',
    to: 'exp = e0 === 0 ? Number.MAX_SAFE_INTEGER : e0;',
    tests: [devTest('jwt-claims.test.ts'), devTest('auth.test.ts')],
  },
  {
    name: 'dev server: JWT exp checked before nbf (cap checks nbf, exp, iat)',
    file: dev('jwt.ts'),
    from: `if (nowSeconds + LEEWAY_SECONDS < nbf) return 'invalid not before (nbf) claim: token not yet valid';
  if (nowSeconds - LEEWAY_SECONDS > exp) return 'invalid expiration time (exp) claim: token is expired';`,
    to: `if (nowSeconds - LEEWAY_SECONDS > exp) return 'invalid expiration time (exp) claim: token is expired';
  if (nowSeconds + LEEWAY_SECONDS < nbf) return 'invalid not before (nbf) claim: token not yet valid';`,
    tests: [devTest('jwt-claims.test.ts'), devTest('auth.test.ts')],
  },
];
