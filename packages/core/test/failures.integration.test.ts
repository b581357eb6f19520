/**
 * Every row of the README's failure table against the dev server: class, code, nothing injected,
 * no secret/JWT/token in the message or the logs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  VaultAuthenticationError,
  VaultConfigurationError,
  VaultError,
  VaultSecretError,
  VaultSecretManager,
  type VaultOptions,
} from '../src';
import { PATH, assertNoSecrets, startHarness, type Harness } from './support/dev-vault';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.server.clearFaults();
  h.server.setLatency(0);
  h.server.unseal();
  h.server.setInitialized(true);
  h.server.clearRequests();
  h.logs.length = 0;
});

type ErrorClass = typeof VaultConfigurationError | typeof VaultAuthenticationError | typeof VaultSecretError;

/** Runs a failing start-up; asserts class, code, env untouched, status failed, no leak. */
async function expectFailure(extra: VaultOptions, cls: ErrorClass, code: string): Promise<VaultError> {
  const env: Record<string, string | undefined> = { KEEP: 'me', DATABASE_URL: 'local-value' };
  const before = { ...env };
  const manager = new VaultSecretManager(h.options({ env, ...extra }));
  let caught: unknown;
  try {
    await manager.initialize();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(cls);
  const error = caught as VaultError;
  expect(error.code).toBe(code);
  expect(env).toEqual(before);
  expect(manager.getAll()).toEqual({});
  const status = manager.getStatus();
  expect(status).toMatchObject({
    state: 'failed',
    secrets_loaded: false,
    last_error: { code, name: cls.name },
  });
  assertNoSecrets([error.message, error.stack ?? '', JSON.stringify(status), ...h.logs], [h.jwt]);
  expect(h.logs.some((l) => l.includes(`${cls.name} [${code}]`))).toBe(true);
  await manager.close();
  return error;
}

const reads = () => h.server.requests.filter((r) => r.path.startsWith('/v1/kv/'));
const logins = () => h.server.requests.filter((r) => r.path.endsWith('/login'));

describe('failure table', () => {
  it('token file missing → VaultAuthenticationError, no request made', async () => {
    const e = await expectFailure(
      { tokenPath: join(h.dir, 'absent') },
      VaultAuthenticationError,
      'VAULT_TOKEN_FILE_MISSING',
    );
    expect(e.setting).toBe('VAULT_K8S_TOKEN_PATH');
    expect(h.server.requests).toHaveLength(0);
  });

  it('token file empty → VaultAuthenticationError', async () => {
    const empty = join(h.dir, 'empty');
    writeFileSync(empty, '  \n');
    await expectFailure({ tokenPath: empty }, VaultAuthenticationError, 'VAULT_TOKEN_FILE_EMPTY');
    expect(h.server.requests).toHaveLength(0);
  });

  it('Vault sealed → retried within the budget, then VaultConfigurationError VAULT_SEALED', async () => {
    // vault: sealed-503
    h.server.seal();
    const e = await expectFailure({ maxRetries: 2 }, VaultConfigurationError, 'VAULT_SEALED');
    expect(e.message).toMatch(/sealed/);
    expect(logins()).toHaveLength(3);
  });

  it('Vault uninitialized → VaultConfigurationError VAULT_UNINITIALIZED', async () => {
    h.server.setInitialized(false);
    await expectFailure({}, VaultConfigurationError, 'VAULT_UNINITIALIZED');
  });

  it('login rejected (service account not bound) → VaultAuthenticationError, one attempt', async () => {
    const wrong = join(h.dir, 'wrong-sa');
    h.server.writeServiceAccountTokenFile(wrong, { namespace: 'myns', serviceAccount: 'someone-else' });
    // vault: kubernetes-login-unbound
    const e = await expectFailure({ tokenPath: wrong }, VaultAuthenticationError, 'VAULT_LOGIN_REJECTED');
    expect(e.message).toContain('VAULT_ROLE');
    expect(logins()).toHaveLength(1);
    expect(reads()).toHaveLength(0);
  });

  it('login rejected (unknown role) → VaultAuthenticationError', async () => {
    // vault: kubernetes-login-role
    await expectFailure({ role: 'no-such-role' }, VaultAuthenticationError, 'VAULT_LOGIN_REJECTED');
    expect(logins()).toHaveLength(1);
  });

  // vault: no-handler-404
  it('auth mount missing → VaultAuthenticationError naming VAULT_K8S_AUTH_MOUNT_POINT', async () => {
    const e = await expectFailure(
      { k8sAuthMountPoint: 'kubernetes-nope' },
      VaultAuthenticationError,
      'VAULT_AUTH_MOUNT_NOT_FOUND',
    );
    expect(e.message).toContain('VAULT_K8S_AUTH_MOUNT_POINT');
  });

  // vault: kubernetes-login-unbound, plain-error-500
  it('an old-Vault 500 "service account name not authorized" is not retried', async () => {
    h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['service account name not authorized'] } },
      { path: '/v1/auth/kubernetes-dev-myapp/login' },
    );
    await expectFailure({}, VaultAuthenticationError, 'VAULT_LOGIN_REJECTED');
    expect(logins()).toHaveLength(1);
  });

  it('secret path not found (404) → VaultSecretError, no retry', async () => {
    // vault: read-missing-404
    const e = await expectFailure({ path: 'ACME/DEV/NOPE' }, VaultSecretError, 'VAULT_SECRET_NOT_FOUND');
    expect(e.message).toContain('kv/ACME/DEV/NOPE');
    expect(reads()).toHaveLength(1);
  });

  it('one of several paths not found fails the whole load, nothing injected', async () => {
    await expectFailure({ path: [PATH, 'ACME/DEV/NOPE'] }, VaultSecretError, 'VAULT_SECRET_NOT_FOUND');
  });

  it('access denied (403) → VaultSecretError, no retry', async () => {
    h.server.writeSecret('kv', 'OTHER/TEAM', { X: 'y' });
    // vault: permission-denied
    const e = await expectFailure({ path: 'OTHER/TEAM' }, VaultSecretError, 'VAULT_ACCESS_DENIED');
    expect(e.message).toContain('kv/data/OTHER/TEAM');
    expect(reads()).toHaveLength(1);
  });

  it('required keys missing → VaultSecretError naming every missing key', async () => {
    const e = await expectFailure(
      { required: ['DATABASE_URL', 'MISSING_ONE', 'MISSING_TWO', 'EMPTY'] },
      VaultSecretError,
      'VAULT_REQUIRED_KEYS_MISSING',
    );
    expect(e.keys).toEqual(['MISSING_ONE', 'MISSING_TWO', 'EMPTY']);
    for (const key of e.keys ?? []) expect(e.message).toContain(key);
  });

  it('required keys missing with VAULT_ADDR unset → checked against the env', async () => {
    const env = { PRESENT: 'x' };
    const manager = new VaultSecretManager({ env, required: ['PRESENT', 'ABSENT'], logger: h.logger });
    await expect(manager.initialize()).rejects.toMatchObject({
      name: 'VaultSecretError',
      code: 'VAULT_REQUIRED_KEYS_MISSING',
      keys: ['ABSENT'],
    });
    expect(manager.getStatus().state).toBe('failed');
    expect(h.server.requests).toHaveLength(0);
  });

  it('a secret key that cannot be an env var name → VaultSecretError naming it', async () => {
    h.server.writeSecret('kv', 'ACME/DEV/BADKEY', { GOOD: 'x', 'A=B': 'y' });
    const e = await expectFailure({ path: [PATH, 'ACME/DEV/BADKEY'] }, VaultSecretError, 'VAULT_INVALID_KEY');
    expect(e.keys).toEqual(['A=***']);
  });
});

describe('transient failures', () => {
  // vault: status-codes, rate-limit-retry-after
  it('500 then 429 on the read are retried, then success', async () => {
    h.server.addFault({ type: 'status', status: 500 }, { path: `/v1/kv/data/${PATH}`, times: 1 });
    h.server.addFault({ type: 'rate-limited' }, { path: `/v1/kv/data/${PATH}`, times: 1 });
    const manager = new VaultSecretManager(h.options({ maxRetries: 3 }));
    await manager.initialize();
    expect(manager.getStatus().state).toBe('ready');
    expect(reads().map((r) => r.status)).toEqual([500, 429, 200]);
  });

  // vault: status-codes
  it('a 503 on login (not sealed) and a connection reset are retried', async () => {
    h.server.addFault(
      { type: 'status', status: 503, body: { errors: ['maintenance'] } },
      { path: /\/login$/, times: 1 },
    );
    h.server.addFault({ type: 'reset' }, { path: `/v1/kv/data/${PATH}`, times: 1 });
    const manager = new VaultSecretManager(h.options());
    await manager.initialize();
    expect(logins()).toHaveLength(2);
    expect(manager.getStatus().state).toBe('ready');
  });

  // vault: rate-limit-retry-after
  it('honours Retry-After', async () => {
    h.server.addFault(
      { type: 'rate-limited', retryAfterSeconds: 1 },
      { path: `/v1/kv/data/${PATH}`, times: 1 },
    );
    const started = Date.now();
    await new VaultSecretManager(h.options({ retryDelay: 0 })).initialize();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  // vault: status-codes
  it('honours Retry-After on a 504 too (a proxy in front of Vault), not only on 429', async () => {
    h.server.addFault(
      { type: 'status', status: 504, headers: { 'retry-after': '1' } },
      { path: `/v1/kv/data/${PATH}`, times: 1 },
    );
    const started = Date.now();
    await new VaultSecretManager(h.options({ retryDelay: 0 })).initialize();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(reads().map((r) => r.status)).toEqual([504, 200]);
  });

  it('retries exhausted → VaultSecretError with the attempt count', async () => {
    h.server.addFault({ type: 'status', status: 502 }, { path: `/v1/kv/data/${PATH}` });
    const e = await expectFailure({ maxRetries: 2 }, VaultSecretError, 'VAULT_RETRIES_EXHAUSTED');
    expect(e.attempts).toBe(3);
    expect(reads()).toHaveLength(3);
  });

  it('a hanging Vault is bounded by the per-request timeout and the start-up deadline', async () => {
    h.server.addFault({ type: 'hang' }, { path: `/v1/kv/data/${PATH}` });
    const started = Date.now();
    const e = await expectFailure(
      { timeout: 0.2, maxRetries: 50, startupTimeout: 1 },
      VaultSecretError,
      'VAULT_DEADLINE_EXCEEDED',
    );
    expect(Date.now() - started).toBeLessThan(4000);
    expect(e.setting).toBe('VAULT_STARTUP_TIMEOUT');
  });

  it('an unreachable Vault → VaultSecretError after the retries', async () => {
    await expectFailure(
      { address: 'http://127.0.0.1:1', maxRetries: 1 },
      VaultSecretError,
      'VAULT_RETRIES_EXHAUSTED',
    );
  });

  it('a proxy HTML 502 page is retried, then success', async () => {
    h.server.addFault({ type: 'html', status: 502 }, { path: `/v1/kv/data/${PATH}`, times: 2 });
    const manager = new VaultSecretManager(h.options());
    await manager.initialize();
    expect(reads().map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('a login answer without auth.client_token → VaultAuthenticationError', async () => {
    h.server.addFault(
      { type: 'status', status: 200, body: { auth: null, data: null } },
      { path: /\/login$/ },
    );
    await expectFailure({}, VaultAuthenticationError, 'VAULT_AUTH_RESPONSE_INVALID');
    expect(logins()).toHaveLength(1);
  });

  it('a 200 with a malformed body is not retried', async () => {
    h.server.addFault({ type: 'malformed-json' }, { path: `/v1/kv/data/${PATH}` });
    await expectFailure({}, VaultSecretError, 'VAULT_RESPONSE_INVALID');
    expect(reads()).toHaveLength(1);
  });
});

describe('the default env is process.env', () => {
  it('a failed start-up leaves process.env exactly as it was', async () => {
    const before = { ...process.env };
    const { env: _ignored, ...options } = h.options({ path: [PATH, 'ACME/DEV/NOPE'] });
    const manager = new VaultSecretManager(options);
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
    expect(process.env).toEqual(before);
    expect(process.env.API_KEY).toBeUndefined();
  });
});

describe('configuration errors surface from initialize()', () => {
  it('a bad VAULT_TIMEOUT rejects initialize() (the constructor does not throw)', async () => {
    const manager = new VaultSecretManager({
      env: { VAULT_ADDR: h.server.address, VAULT_TIMEOUT: 'abc' },
      logger: false,
    });
    await expect(manager.initialize()).rejects.toMatchObject({
      name: 'VaultConfigurationError',
      code: 'VAULT_CONFIG_INVALID',
      setting: 'VAULT_TIMEOUT',
    });
    expect(manager.getStatus().last_error?.code).toBe('VAULT_CONFIG_INVALID');
  });
});
