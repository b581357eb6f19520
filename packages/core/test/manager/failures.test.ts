/**
 * A start-up that fails, through the manager: the error and its code, the status it leaves, the one
 * log line (or none when the caller reports it), nothing written to env, and the token given back.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { VaultAuthenticationError, VaultConfigurationError, VaultSecretError } from '../../src/errors';
import { PATH, COMMON, type Harness } from '../support/dev-vault';
import { rig, requestLines, START, until, useHarness } from '../support/manager-harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

const LOGIN = 'POST /v1/auth/kubernetes-dev-myapp/login 200';
const REVOKE_SELF = 'POST /v1/auth/token/revoke-self 204';

describe('invalid options', () => {
  it('reject initialize() with VAULT_CONFIG_INVALID naming the setting, before any request', async () => {
    const { manager } = rig(h, { timeout: 'soon' });
    const error = await manager.initialize().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultConfigurationError);
    expect(error).toMatchObject({ code: 'VAULT_CONFIG_INVALID', setting: 'VAULT_TIMEOUT' });
    expect(await requestLines(h)).toEqual([]);
    expect(manager.getStatus()).toMatchObject({
      state: 'failed',
      secrets_loaded: false,
      last_error: { code: 'VAULT_CONFIG_INVALID', name: 'VaultConfigurationError' },
    });
    expect(h.logs).toEqual([
      `[vault-config] start-up failed: ${(error as VaultConfigurationError).toLogLine()}`,
    ]);
  });

  it('initializeInBackground() does not retry them: no timer is set', async () => {
    const { manager, clock } = rig(h, { timeout: 'soon' });
    manager.initializeInBackground();
    await clock.advance(0);
    expect(manager.getStatus()).toMatchObject({
      state: 'failed',
      last_error: { code: 'VAULT_CONFIG_INVALID' },
    });
    expect(clock.timers).toBe(0);
    expect(h.logs.filter((l) => l.includes('loading again'))).toEqual([]);
  });
});

describe('Vault refuses', () => {
  it('a rejected login: VaultAuthenticationError, not authenticated, nothing to give back', async () => {
    const { manager, env } = rig(h, { role: 'no-such-role' });
    const error = await manager.initialize().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultAuthenticationError);
    expect(error).toMatchObject({ code: 'VAULT_LOGIN_REJECTED' });
    // vault: kubernetes-login-role
    expect(await requestLines(h)).toEqual(['POST /v1/auth/kubernetes-dev-myapp/login 400']);
    expect(manager.getStatus()).toMatchObject({
      state: 'failed',
      authenticated: false,
      token_expires_at: null,
      last_error: { code: 'VAULT_LOGIN_REJECTED' },
    });
    expect(env).toEqual({});
  });

  it('a missing path after the login: the token it logged in for is revoked, the status shows it gone', async () => {
    const { manager, env } = rig(h, { path: [PATH, 'ACME/NOPE'] });
    const error = await manager.initialize().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultSecretError);
    expect(error).toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND', setting: 'VAULT_PATH' });
    // Both reads in parallel after the login (either may finish first), then the token given back.
    // vault: read-missing-404, token-revoke-self
    const lines = await requestLines(h);
    expect(lines).toHaveLength(4);
    expect([lines[0], lines[3]]).toEqual([LOGIN, REVOKE_SELF]);
    expect(lines.slice(1, 3).sort()).toEqual([
      `GET /v1/kv/data/${PATH} 200`,
      'GET /v1/kv/data/ACME/NOPE 404',
    ]);
    expect(manager.getStatus()).toMatchObject({
      state: 'failed',
      secrets_loaded: false,
      authenticated: false,
      token_expires_at: null,
      keys: 0,
      last_error: { code: 'VAULT_SECRET_NOT_FOUND' },
    });
    expect(env).toEqual({});
    expect(manager.getAll()).toEqual({});
  });

  it('a required key Vault does not have: names it and the paths read, nothing injected', async () => {
    const { manager, env } = rig(h, { path: [PATH, COMMON], required: ['API_KEY', 'MISSING_ONE'] });
    const error = await manager.initialize().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VAULT_REQUIRED_KEYS_MISSING',
      keys: ['MISSING_ONE'],
      setting: 'VAULT_PATH',
      message: `required keys missing from Vault: MISSING_ONE (read kv/${PATH}, kv/${COMMON}): add them in Vault or fix VAULT_PATH`,
    });
    expect(env).toEqual({});
    expect((await requestLines(h)).at(-1)).toBe(REVOKE_SELF);
    expect(manager.getStatus()).toMatchObject({ state: 'failed', keys: 0, secrets_loaded: false });
  });
});

describe('who logs the failure', () => {
  it('the manager logs one error line by default', async () => {
    const { manager } = rig(h, { role: 'no-such-role' });
    const error = (await manager.initialize().catch((e: unknown) => e)) as VaultAuthenticationError;
    expect(h.logs).toEqual([`[vault-config] start-up failed: ${error.toLogLine()}`]);
  });

  it('logStartupFailure: false leaves it to the caller: a debug line with the code only', async () => {
    const { manager } = rig(h, { role: 'no-such-role', logStartupFailure: false });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_LOGIN_REJECTED' });
    expect(h.logs).toEqual(['[vault-config] start-up failed (reported by the caller): VAULT_LOGIN_REJECTED']);
  });

  it('a key the transform cannot map fails the commit: logged with its code, the token given back', async () => {
    const { manager, env } = rig(h, {
      keyTransform: () => {
        throw new TypeError('transform broke');
      },
    });
    await expect(manager.initialize()).rejects.toMatchObject({
      code: 'VAULT_INVALID_KEY',
      keys: ['DATABASE_URL'],
    });
    expect(h.logs).toEqual([
      '[vault-config] start-up failed: VaultSecretError [VAULT_INVALID_KEY]: secret key "DATABASE_URL" at kv/ACME/DEV/MYAPP made keyTransform throw and cannot be mapped: fix keyTransform',
    ]);
    expect(await requestLines(h)).toEqual([LOGIN, `GET /v1/kv/data/${PATH} 200`, REVOKE_SELF]);
    expect(env).toEqual({});
    expect(manager.getStatus()).toMatchObject({ state: 'failed', authenticated: false });
  });
});

describe('what the load passes on', () => {
  it('a pinned version is named when required keys are missing', async () => {
    const { manager } = rig(h, { version: 1, required: ['MISSING_ONE'] });
    await expect(manager.initialize()).rejects.toMatchObject({
      code: 'VAULT_REQUIRED_KEYS_MISSING',
      setting: 'VAULT_SECRET_VERSION',
    });
  });

  it('a retried read is logged at warn, naming the path and the attempt; the load then succeeds', async () => {
    h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: `/v1/kv/data/${PATH}`, times: 1 },
    );
    const { manager } = rig(h, { revokeToken: false });
    await manager.initialize();
    expect(h.logs[0]).toMatch(
      new RegExp(`^\\[vault-config\\] reading kv/${PATH}: attempt 1/4 failed \\(HTTP 500\\); next in 5 ms$`),
    );
    expect(h.logs).toHaveLength(2);
    expect(manager.getStatus().state).toBe('ready');
    await manager.close();
  });

  it('kvVersion auto asks the mount once after the login, then reads', async () => {
    const { manager } = rig(h, { revokeToken: false, kvVersion: 'auto' });
    await manager.initialize();
    // vault: kv-preflight
    expect(await requestLines(h)).toEqual([
      LOGIN,
      'GET /v1/sys/internal/ui/mounts/kv/ACME/DEV/MYAPP 200',
      `GET /v1/kv/data/${PATH} 200`,
    ]);
    await manager.close();
  });

  it('the first failed path stops the retries of the others', async () => {
    h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: `/v1/kv/data/${COMMON}` },
    );
    h.server.addFault({ type: 'latency', ms: 30 }, { path: `/v1/kv/data/${COMMON}` });
    const { manager } = rig(h, { path: [PATH, 'ACME/NOPE', COMMON] });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
    const lines = await requestLines(h);
    // Without the stop, the 500 would be tried 4 times (maxRetries 3).
    expect(lines.filter((l) => l.includes(COMMON)).length).toBeLessThanOrEqual(1);
  });

  it('a token handed in is not revoked when the load fails', async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'] });
    const { manager } = rig(h, { authMethod: 'token', token, path: [PATH, 'ACME/NOPE'] });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
    const lines = await requestLines(h);
    expect(lines.filter((l) => l.includes('revoke'))).toEqual([]);
    expect(manager.getStatus()).toMatchObject({ authenticated: false, state: 'failed' });
  });

  it('a request slower than VAULT_TIMEOUT fails the load (one attempt, no retries left)', async () => {
    h.server.addFault({ type: 'latency', ms: 300 }, { path: `/v1/kv/data/${PATH}` });
    const { manager } = rig(h, { timeout: 0.05, maxRetries: 0 });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_RETRIES_EXHAUSTED' });
  });

  it('a dynamic path without a lease is not revoked as lease "" when the load fails; the token is', async () => {
    const { manager } = rig(h, {
      path: [PATH, 'ACME/NOPE'],
      dynamic: [{ path: `kv/data/${COMMON}`, keys: { data: 'COMMON_DATA' } }],
    });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
    const lines = await requestLines(h);
    expect(lines.filter((l) => l.includes('revoke'))).toEqual([REVOKE_SELF]);
  });

  it('start-up retry waits draw on the injected random: random × min(8 × base, base × 2^n)', async () => {
    h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: `/v1/kv/data/${PATH}` },
    );
    // base 2 s: the first wait is 0.5 × min(16 s, 2 s) = 1000 ms; close() cuts it short.
    const { manager } = rig(h, { retryDelay: 2 });
    const loading = manager.initialize().catch((e: unknown) => e);
    await until(() => h.logs.length > 0, 'the retry line');
    await manager.close();
    expect(await loading).toMatchObject({ code: 'VAULT_CLOSED' });
    expect(h.logs[0]).toBe(
      `[vault-config] reading kv/${PATH}: attempt 1/4 failed (HTTP 500); next in 1000 ms`,
    );
  });

  it('kvVersion auto with a token handed in: the detect request carries that token', async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'] });
    const { manager } = rig(h, { authMethod: 'token', token, kvVersion: 'auto' });
    await manager.initialize();
    expect(await requestLines(h)).toEqual([
      `GET /v1/sys/internal/ui/mounts/kv/${PATH} 200`,
      `GET /v1/kv/data/${PATH} 200`,
    ]);
    await manager.close();
  });

  it('a retried KV version check is logged as such', async () => {
    h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: `/v1/sys/internal/ui/mounts/kv/${PATH}`, times: 1 },
    );
    const { manager } = rig(h, { kvVersion: 'auto', revokeToken: false });
    await manager.initialize();
    expect(h.logs[0]).toBe(
      '[vault-config] detecting the KV version of kv: attempt 1/4 failed (HTTP 500); next in 5 ms',
    );
    await manager.close();
  });

  it('an env object that refuses writes: its own error, logged by name only, the token given back', async () => {
    const env = Object.freeze({}) as Record<string, string | undefined>;
    const { manager } = rig(h, { env });
    const error = await manager.initialize().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('DATABASE_URL');
    expect(h.logs).toEqual(['[vault-config] start-up failed: TypeError (details withheld)']);
    expect(manager.getStatus()).toMatchObject({
      state: 'failed',
      authenticated: false,
      last_error: {
        name: 'TypeError',
        code: 'UNKNOWN',
        message: 'TypeError (details withheld)',
        at: new Date(START).toISOString(),
      },
    });
    expect((await requestLines(h)).at(-1)).toBe(REVOKE_SELF);
  });
});
