/**
 * The manager's start-up load against the in-process dev server on the injected clock: the status
 * before and after, the requests in order, what lands in env, the start-up log line, and the token
 * given back right after a start-up-only load.
 */
import { inspect } from 'node:util';
import { loadVaultSecrets } from '../../src/load';
import { VaultSecretManager } from '../../src/manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { PATH, COMMON, CANARY, type Harness } from '../support/dev-vault';
import { rig, requestLines, untilRequest, START, useHarness } from '../support/manager-harness';
import { sequence, settle } from '../support/fake-clock';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

const LOGIN = 'POST /v1/auth/kubernetes-dev-myapp/login 200';
const READ = `GET /v1/kv/data/${PATH} 200`;
const REVOKE_SELF = 'POST /v1/auth/token/revoke-self 204';

describe('the status', () => {
  it('before initialize(): loading, with the address, paths, role and auth method from the options', () => {
    const { manager } = rig(h, { path: [PATH, COMMON] });
    expect(manager.getStatus()).toEqual({
      authenticated: false,
      secrets_loaded: false,
      vault_url: h.server.address,
      vault_path: `${PATH},${COMMON}`,
      vault_role: 'dev-myapp',
      state: 'loading',
      auth_method: 'kubernetes',
      keys: 0,
      loaded_at: null,
      token_expires_at: null,
      last_error: null,
    });
    expect(manager.getAll()).toEqual({});
    expect(Object.isFrozen(manager.getAll())).toBe(true);
    expect(manager.get('API_KEY')).toBeUndefined();
  });

  it('shows no role for token auth', () => {
    const { manager } = rig(h, { authMethod: 'token', token: 'hvs.not-used' });
    expect(manager.getStatus()).toMatchObject({ vault_role: null, vault_path: PATH, auth_method: 'token' });
  });

  it('shows no path when none is set (Vault skipped)', () => {
    const { manager } = rig(h, { address: undefined, path: [] });
    expect(manager.getStatus()).toMatchObject({ vault_url: null, vault_path: null, auth_method: null });
  });

  it('invalid options: every field from them is null, and the constructor does not throw', () => {
    const { manager } = rig(h, { path: [] });
    expect(manager.getStatus()).toMatchObject({
      vault_url: null,
      vault_path: null,
      vault_role: null,
      auth_method: null,
      state: 'loading',
    });
    expect(manager.startupTimeoutMs).toBeUndefined();
  });

  it('after initialize(): ready, authenticated, keys counted, loaded_at and the token expiry on the clock', async () => {
    const { manager, env } = rig(h, { revokeToken: false, refreshInterval: 60 });
    const secrets = await manager.initialize();
    expect(manager.getStatus()).toEqual({
      authenticated: true,
      secrets_loaded: true,
      vault_url: h.server.address,
      vault_path: PATH,
      vault_role: 'dev-myapp',
      state: 'ready',
      auth_method: 'kubernetes',
      keys: 6,
      loaded_at: new Date(START).toISOString(),
      // token_ttl 3600 s from the login, obtained at the clock's time. vault: kubernetes-login
      token_expires_at: new Date(START + 3_600_000).toISOString(),
      last_error: null,
    });
    expect(secrets).toEqual({
      DATABASE_URL: CANARY.DATABASE_URL,
      API_KEY: CANARY.API_KEY,
      PORT: '8080',
      DEBUG: 'false',
      FEATURES: '{"a":[1]}',
      EMPTY: '',
    });
    expect(env).toEqual(secrets);
    expect(manager.getAll()).toEqual(secrets);
    expect(manager.get('PORT')).toBe('8080');
    await manager.close();
  });

  it('replays the current status to a new status$ subscriber', async () => {
    const { manager } = rig(h, { revokeToken: false });
    await manager.initialize();
    const seen: string[] = [];
    manager.status$.subscribe((s) => seen.push(s.state)).unsubscribe();
    expect(seen).toEqual(['ready']);
    await manager.close();
  });

  it('status views: get_status, toJSON, util.inspect, the health body and its JSON', async () => {
    const { manager } = rig(h, { revokeToken: false });
    await manager.initialize();
    const status = manager.getStatus();
    expect(manager.get_status()).toEqual(status);
    expect(manager.toJSON()).toEqual(status);
    expect(JSON.parse(JSON.stringify(manager))).toEqual(status);
    expect(inspect(manager)).toBe(`VaultSecretManager ${inspect(status)}`);
    expect(manager.getHealthBody()).toEqual(status);
    expect(JSON.parse(manager.getHealthJson())).toEqual(status);
    expect(inspect(manager)).not.toContain(CANARY.API_KEY);
    await manager.close();
  });

  it('minimal health body: the state only', async () => {
    const { manager } = rig(h, { revokeToken: false, healthBody: 'minimal' });
    expect(manager.getHealthBody()).toEqual({ state: 'loading' });
    await manager.initialize();
    expect(manager.getHealthBody()).toEqual({ state: 'ready' });
    expect(JSON.parse(manager.getHealthJson())).toEqual({ state: 'ready' });
    await manager.close();
  });

  it('a custom inspect without an inspect function falls back to JSON', () => {
    const { manager } = rig(h);
    const custom = (manager as unknown as Record<symbol, (d: number, o: unknown) => string>)[
      Symbol.for('nodejs.util.inspect.custom')
    ] as (d: number, o: unknown) => string;
    expect(custom.call(manager, 0, {})).toBe(`VaultSecretManager ${JSON.stringify(manager.getStatus())}`);
  });

  it('exposes the start-up budget in ms', () => {
    expect(rig(h, { startupTimeout: 12 }).manager.startupTimeoutMs).toBe(12_000);
  });
});

describe('requests', () => {
  it('start-up only: login, read, then revoke-self right after loading (not at close)', async () => {
    const { manager } = rig(h, { revokeToken: undefined });
    await manager.initialize();
    await untilRequest(h, REVOKE_SELF);
    // vault: kubernetes-login, kv2-read, token-revoke-self
    expect(await requestLines(h)).toEqual([LOGIN, READ, REVOKE_SELF]);
    // The token is gone: the status no longer shows when it would expire.
    expect(manager.getStatus()).toMatchObject({ token_expires_at: null, authenticated: true });
    expect(h.logs).toContain('[vault-config] token revoked after start-up (VAULT_REVOKE_TOKEN)');
    await manager.close();
    expect(await requestLines(h)).toEqual([LOGIN, READ, REVOKE_SELF]);
  });

  it('with a VAULT_TIMEOUT under a second, the revoke-after-load still has its one attempt', async () => {
    const { manager } = rig(h, { revokeToken: undefined, timeout: 0.5 });
    await manager.initialize();
    await manager.close();
    expect(await requestLines(h)).toEqual([LOGIN, READ, REVOKE_SELF]);
    expect(h.logs).toContain('[vault-config] token revoked after start-up (VAULT_REVOKE_TOKEN)');
  });

  it('a refused revoke-self is a warning: the token expires at its TTL', async () => {
    h.server.addFault(
      { type: 'status', status: 403, body: { errors: ['permission denied'] } },
      { path: '/v1/auth/token/revoke-self' },
    );
    const { manager } = rig(h, { revokeToken: undefined });
    await manager.initialize();
    await manager.close();
    expect(await requestLines(h)).toEqual([LOGIN, READ, 'POST /v1/auth/token/revoke-self 403']);
    expect(h.logs).toContain(
      '[vault-config] could not revoke the token after start-up (VAULT_LOGIN_REJECTED); it expires at its TTL',
    );
    expect(manager.getStatus().state).toBe('ready');
  });

  it('revokeToken: false keeps the token: no revoke-self, neither after loading nor at close', async () => {
    const { manager } = rig(h, { revokeToken: false });
    await manager.initialize();
    await manager.close();
    expect(await requestLines(h)).toEqual([LOGIN, READ]);
    expect(manager.getStatus().token_expires_at).toBe(new Date(START + 3_600_000).toISOString());
  });

  it('a second initialize() returns the same promise and makes no request', async () => {
    const { manager } = rig(h, { revokeToken: false });
    const first = manager.initialize();
    expect(manager.initialize()).toBe(first);
    await first;
    expect(await requestLines(h)).toEqual([LOGIN, READ]);
    await manager.close();
  });
});

describe('start-up splay', () => {
  const SPLAY_LINE = '[vault-config] waiting 2000 ms before the first request (VAULT_STARTUP_SPLAY 4 s)';

  it('waits a random part of startupSplay on the clock before the first request', async () => {
    // random 0.5 of 4 s: 2 s.
    const { manager, clock } = rig(h, { revokeToken: false, startupSplay: 4 });
    const loading = manager.initialize();
    await settle();
    expect(clock.nextIn()).toBe(2000);
    expect(h.logs).toEqual([SPLAY_LINE]);
    await clock.advance(1999);
    expect(await requestLines(h)).toEqual([]);
    expect(manager.getStatus()).toMatchObject({ state: 'loading', authenticated: false });
    await clock.advance(1);
    await loading;
    expect(await requestLines(h)).toEqual([LOGIN, READ]);
    expect(manager.getStatus().state).toBe('ready');
    await manager.close();
  });

  it('takes its wait from the random source: 0 sends at once, 0.999 waits almost the whole splay', async () => {
    for (const [random, wait] of [
      [0, 0],
      [0.999, 3996],
    ] as const) {
      const { manager, clock } = rig(h, {
        revokeToken: false,
        startupSplay: '4s',
        random: sequence(random, 0.5),
      });
      const loading = manager.initialize();
      await settle();
      expect(clock.delays[0]).toBe(wait);
      await clock.advance(wait);
      await loading;
      await manager.close();
    }
  });

  it('close() during the splay: VAULT_CLOSED, no request, no timer left', async () => {
    const { manager, clock } = rig(h, { startupSplay: 4 });
    const loading = manager.initialize();
    await settle();
    expect(clock.timers).toBe(1);
    await manager.close();
    await expect(loading).rejects.toMatchObject({ code: 'VAULT_CLOSED' });
    expect(clock.timers).toBe(0);
    expect(await requestLines(h)).toEqual([]);
  });

  it('counts within the start-up budget: a failing Vault has only what is left after the wait', async () => {
    h.server.addFault({ type: 'status', status: 503, body: { errors: ['Vault is sealed'] } });
    // random 0.5 of 1.8 s: 0.9 s waited on the clock, 1.1 s of the 2 s budget left for the login.
    const { manager, clock } = rig(h, {
      startupSplay: 1.8,
      startupTimeout: 2,
      retryDelay: 0.05,
      maxRetries: 100,
    });
    const started = Date.now();
    const loading = manager.initialize();
    await settle();
    await clock.advance(900);
    await expect(loading).rejects.toMatchObject({ code: 'VAULT_DEADLINE_EXCEEDED' });
    // Without the splay counted, the login would have retried for the whole 2 s.
    expect(Date.now() - started).toBeLessThan(1800);
    await manager.close();
  });
});

describe('the start-up log line', () => {
  it('names every key, the path count, the auth method and the time on the clock', async () => {
    const { manager } = rig(h, { revokeToken: false, path: [PATH, COMMON] });
    await manager.initialize();
    expect(h.logs).toEqual([
      '[vault-config] loaded 7 keys from 2 path(s) via kubernetes auth in 0 ms, 7 injected: DATABASE_URL, API_KEY, PORT, DEBUG, FEATURES, EMPTY, LOG_LEVEL',
    ]);
    await manager.close();
  });

  it('inject: false says so and writes nothing', async () => {
    const { manager, env } = rig(h, { revokeToken: false, inject: false });
    await manager.initialize();
    expect(env).toEqual({});
    expect(manager.get('API_KEY')).toBe(CANARY.API_KEY);
    expect(h.logs[0]).toMatch(/ via kubernetes auth in 0 ms, not injected \(inject: false\): DATABASE_URL, /);
    await manager.close();
  });

  it('override: false keeps what env had and counts it', async () => {
    const env: Record<string, string | undefined> = { PORT: '1', API_KEY: 'mine' };
    const { manager } = rig(h, { revokeToken: false, override: false, env });
    await manager.initialize();
    expect(env).toMatchObject({ PORT: '1', API_KEY: 'mine', DEBUG: 'false' });
    expect(h.logs[0]).toMatch(/ in 0 ms, 4 injected, 2 kept \(override: false\): /);
    await manager.close();
  });

  it('warns, naming the key, when a value is too large for the environment', async () => {
    h.server.writeSecret('kv', PATH, { BIG: 'x'.repeat(200_000), SMALL: 'y' });
    const { manager, env } = rig(h, { revokeToken: false });
    await manager.initialize();
    expect(h.logs.filter((l) => l.includes('BIG') && !l.includes('loaded'))).toHaveLength(1);
    expect(env.SMALL).toBe('y');
    await manager.close();
  });
});

describe('VAULT_ADDR unset', () => {
  it('is disabled: no request, a warning, and the existing env is kept', async () => {
    const env = { API_KEY: 'from-env' };
    const { manager } = rig(h, { address: undefined, env, required: ['API_KEY'] });
    expect(manager.getStatus()).toMatchObject({ vault_url: null, state: 'loading' });
    await expect(manager.initialize()).resolves.toEqual({});
    expect(manager.getStatus()).toMatchObject({ state: 'disabled', last_error: null, secrets_loaded: false });
    expect(h.logs).toEqual([
      '[vault-config] VAULT_ADDR is not set: Vault skipped, using the existing environment',
    ]);
    expect(await requestLines(h)).toEqual([]);
    await manager.close();
  });

  it('a required key missing from env fails with its name and what to do', async () => {
    const { manager } = rig(h, { address: undefined, env: { A: 'x' }, required: ['A', 'B', 'C'] });
    const error = await manager.initialize().catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'VaultSecretError',
      code: 'VAULT_REQUIRED_KEYS_MISSING',
      keys: ['B', 'C'],
      setting: 'VAULT_ADDR',
      message:
        'required keys missing from the environment: B, C (VAULT_ADDR is not set, so Vault was skipped: set VAULT_ADDR or provide them)',
    });
    expect(manager.getStatus()).toMatchObject({
      state: 'failed',
      last_error: { code: 'VAULT_REQUIRED_KEYS_MISSING' },
    });
  });
});

describe('token auth, start-up only', () => {
  it('reads with the token in one round trip; its TTL is unknown (no lookup), and it is kept', async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'] });
    const { manager } = rig(h, { authMethod: 'token', token, revokeToken: undefined });
    await manager.initialize();
    await manager.close();
    expect(await requestLines(h)).toEqual([READ]);
    expect(manager.getStatus()).toMatchObject({
      authenticated: true,
      token_expires_at: null,
      auth_method: 'token',
    });
    expect(h.logs[0]).toMatch(/^\[vault-config\] loaded 6 keys from 1 path\(s\) via token auth in 0 ms, /);
  });
});

describe('loadVaultSecrets()', () => {
  it('resolves to a ready manager', async () => {
    const manager = await loadVaultSecrets(h.options({ env: {}, revokeToken: false }));
    expect(manager).toBeInstanceOf(VaultSecretManager);
    expect(manager.getStatus().state).toBe('ready');
    expect(manager.get('PORT')).toBe('8080');
    await manager.close();
  });

  it("rejects with the load's error", async () => {
    await expect(loadVaultSecrets(h.options({ env: {}, role: 'no-such-role' }))).rejects.toMatchObject({
      code: 'VAULT_LOGIN_REJECTED',
    });
  });
});

describe('many paths', () => {
  it('twelve KV paths and twelve dynamic ones load without a listener-leak warning', async () => {
    const paths = Array.from({ length: 12 }, (_, i) => `ACME/MANY/P${i}`);
    for (const [i, p] of paths.entries()) h.server.writeSecret('kv', p, { [`K${i}`]: String(i) });
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const { manager } = rig(h, {
        revokeToken: false,
        path: paths,
        dynamic: paths.map((p, i) => ({ path: `kv/data/${p}`, keys: { data: `D${i}` } })),
      });
      await manager.initialize();
      expect(manager.getStatus().keys).toBe(24);
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
      await manager.close();
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('health body with invalid options', () => {
  it('is the full status (the default), failed after initialize()', async () => {
    const { manager } = rig(h, { path: [] });
    await manager.initialize().catch(() => undefined);
    expect(manager.getHealthBody()).toEqual(manager.getStatus());
    expect(JSON.parse(manager.getHealthJson())).toEqual(manager.getStatus());
    expect(manager.getStatus().state).toBe('failed');
  });
});
