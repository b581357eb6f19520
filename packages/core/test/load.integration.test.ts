/** Happy paths against the dev server: auth methods, KV versions, several paths, round trips. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VaultSecretManager, loadVaultSecrets } from '../src';
import { CANARY, COMMON, PATH, assertNoSecrets, startHarness, type Harness } from './support/dev-vault';

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
  h.server.clearRequests();
  h.logs.length = 0;
});

const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

describe('kubernetes auth, KV v2', () => {
  it('loads, converts and injects into the env object, in exactly two sequential round trips', async () => {
    h.server.setLatency(40);
    const env: Record<string, string | undefined> = { UNRELATED: 'x' };
    const manager = new VaultSecretManager(
      h.options({ env, path: [COMMON, PATH], required: ['DATABASE_URL'] }),
    );
    const secrets = await manager.initialize();

    expect(secrets).toEqual({
      LOG_LEVEL: 'info',
      PORT: '8080', // PATH is later: it wins over COMMON's 3000
      ...CANARY,
      DEBUG: 'false',
      FEATURES: '{"a":[1]}',
      EMPTY: '',
    });
    expect(env).toEqual({ UNRELATED: 'x', ...secrets });
    expect(manager.get('DATABASE_URL')).toBe(CANARY.DATABASE_URL);
    expect(manager.get('toString')).toBeUndefined();
    expect(Object.isFrozen(manager.getAll())).toBe(true);

    const log = h.server.requests;
    expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      // vault: kubernetes-login, kv2-read
      'POST /v1/auth/kubernetes-dev-myapp/login 200',
      expect.stringMatching(/^GET \/v1\/kv\/data\/ACME\/(COMMON|DEV\/MYAPP) 200$/),
      expect.stringMatching(/^GET \/v1\/kv\/data\/ACME\/(COMMON|DEV\/MYAPP) 200$/),
    ]);
    const [login, readA, readB] = log as [(typeof log)[0], (typeof log)[0], (typeof log)[0]];
    expect(readA.start).toBeGreaterThanOrEqual(login.end);
    expect(readB.start).toBeGreaterThanOrEqual(login.end);
    expect(overlap(readA, readB)).toBe(true); // read in parallel

    const status = manager.getStatus();
    expect(Object.keys(status)).toEqual([
      'authenticated',
      'secrets_loaded',
      'vault_url',
      'vault_path',
      'vault_role',
      'state',
      'auth_method',
      'keys',
      'loaded_at',
      'token_expires_at',
      'last_error',
    ]);
    expect(status).toMatchObject({
      authenticated: true,
      secrets_loaded: true,
      vault_url: h.server.address,
      vault_path: `${COMMON},${PATH}`,
      vault_role: 'dev-myapp',
      state: 'ready',
      auth_method: 'kubernetes',
      keys: 7,
      last_error: null,
    });
    // vault: kubernetes-login
    expect(Date.parse(status.token_expires_at ?? '')).toBeGreaterThan(Date.now() + 3500_000);
    expect(manager.get_status()).toEqual(status);

    assertNoSecrets([...h.logs, JSON.stringify(status)], [h.jwt]);
    expect(h.logs.join('\n')).toMatch(/loaded 7 keys from 2 path\(s\)/);
    await manager.close();
  });

  it('is idempotent: a second initialize() makes no request', async () => {
    const manager = new VaultSecretManager(h.options());
    const first = manager.initialize();
    expect(manager.initialize()).toBe(first);
    await first;
    expect(h.server.requests).toHaveLength(2);
    await manager.close();
    await manager.close();
  });

  it('refuses to start after close()', async () => {
    const manager = new VaultSecretManager(h.options());
    await manager.close();
    await expect(manager.initialize()).rejects.toMatchObject({ name: 'VaultConfigurationError' });
    expect(h.server.requests).toHaveLength(0);
  });

  it('reads the token file fresh on every login', async () => {
    await (await loadVaultSecrets(h.options())).close();
    // Replace the file with a JWT for a service account the role does not bind: the next login must fail.
    h.server.writeServiceAccountTokenFile(h.tokenPath, { namespace: 'myns', serviceAccount: 'intruder' });
    await expect(loadVaultSecrets(h.options())).rejects.toMatchObject({ code: 'VAULT_LOGIN_REJECTED' });
    h.server.writeServiceAccountTokenFile(h.tokenPath, {
      namespace: 'myns',
      serviceAccount: 'vault-auth-dev-myapp',
    });
  });

  it('publishes status through status$ (replaying the current value)', async () => {
    const manager = new VaultSecretManager(h.options());
    const states: string[] = [];
    const sub = manager.status$.subscribe((s) => states.push(s.state));
    await manager.initialize();
    sub.unsubscribe();
    expect(states[0]).toBe('loading');
    expect(states.at(-1)).toBe('ready');
    await manager.close();
  });

  it('maps keys (upper-case and prefix) and honours inject: false and override: false', async () => {
    h.server.writeSecret('kv', 'ACME/DEV/LOWER', { postgres_password: 'CANARY-lower-1', port: 1 });
    const env: Record<string, string | undefined> = { APP_PORT: 'keep-me' };
    const m1 = await loadVaultSecrets(
      h.options({ env, path: 'ACME/DEV/LOWER', keyTransform: 'upper', keyPrefix: 'APP_', override: false }),
    );
    expect(m1.getAll()).toEqual({ APP_POSTGRES_PASSWORD: 'CANARY-lower-1', APP_PORT: '1' });
    expect(env).toEqual({ APP_PORT: 'keep-me', APP_POSTGRES_PASSWORD: 'CANARY-lower-1' });

    const untouched: Record<string, string | undefined> = {};
    const m2 = await loadVaultSecrets(h.options({ env: untouched, inject: false }));
    expect(m2.get('API_KEY')).toBe(CANARY.API_KEY);
    expect(untouched).toEqual({});
    await Promise.all([m1.close(), m2.close()]);
  });

  it('pins a KV v2 version', async () => {
    h.server.writeSecret('kv', 'ACME/DEV/VERSIONED', { V: 'one' });
    h.server.writeSecret('kv', 'ACME/DEV/VERSIONED', { V: 'two' });
    const latest = await loadVaultSecrets(h.options({ path: 'ACME/DEV/VERSIONED' }));
    const pinned = await loadVaultSecrets(h.options({ path: 'ACME/DEV/VERSIONED', version: 1 }));
    // vault: kv2-read
    expect([latest.get('V'), pinned.get('V')]).toEqual(['two', 'one']);
  });
});

describe('other auth methods and KV v1', () => {
  it('token auth: one round trip, no login', async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'] });
    const manager = await loadVaultSecrets({
      env: { VAULT_ADDR: h.server.address, VAULT_TOKEN: token, VAULT_PATH: PATH },
      logger: h.logger,
    });
    expect(manager.get('API_KEY')).toBe(CANARY.API_KEY);
    expect(h.server.requests.map((r) => r.path)).toEqual([`/v1/kv/data/${PATH}`]);
    expect(manager.getStatus()).toMatchObject({ auth_method: 'token', vault_role: null, state: 'ready' });
    assertNoSecrets(h.logs, [token]);
  });

  it('AppRole auth: login then read', async () => {
    h.server.enableAppRole('approle');
    const { roleId, secretId } = h.server.writeAppRole('approle', 'myapp', {
      token_policies: ['myapp-dev-read'],
    });
    const manager = await loadVaultSecrets({
      env: {
        VAULT_ADDR: h.server.address,
        VAULT_ROLE_ID: roleId,
        VAULT_SECRET_ID: secretId,
        VAULT_PATH: PATH,
      },
      logger: h.logger,
    });
    expect(manager.get('DATABASE_URL')).toBe(CANARY.DATABASE_URL);
    expect(h.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      // vault: approle-login
      'POST /v1/auth/approle/login',
      `GET /v1/kv/data/${PATH}`,
    ]);
    expect(manager.getStatus().auth_method).toBe('approle');
    assertNoSecrets(h.logs, [secretId]);
  });

  it('KV v1, set explicitly and detected with kvVersion auto', async () => {
    h.server.enableKv('kv1', 1);
    h.server.writeSecret('kv1', 'ACME/DEV/MYAPP', { V1_KEY: 'v1-value' });
    const set = await loadVaultSecrets(h.options({ mountPoint: 'kv1', kvVersion: 1 }));
    expect(set.getAll()).toEqual({ V1_KEY: 'v1-value' });
    // vault: kv1-read
    expect(h.server.requests.at(-1)?.path).toBe('/v1/kv1/ACME/DEV/MYAPP');

    h.server.clearRequests();
    const auto = await loadVaultSecrets(h.options({ mountPoint: 'kv1', kvVersion: 'auto' }));
    expect(auto.getAll()).toEqual({ V1_KEY: 'v1-value' });
    expect(h.server.requests.map((r) => r.path)).toEqual([
      '/v1/auth/kubernetes-dev-myapp/login',
      // vault: kv-preflight
      '/v1/sys/internal/ui/mounts/kv1/ACME/DEV/MYAPP',
      '/v1/kv1/ACME/DEV/MYAPP',
    ]);
    const autoV2 = await loadVaultSecrets(h.options({ kvVersion: 'auto' }));
    expect(autoV2.get('API_KEY')).toBe(CANARY.API_KEY);
  });
});

describe('process.env', () => {
  it('is where secrets go by default (this file runs in its own process)', async () => {
    const { env: _ignored, ...options } = h.options();
    const manager = await loadVaultSecrets(options);
    expect(process.env.API_KEY).toBe(CANARY.API_KEY);
    expect(process.env.PORT).toBe('8080');
    delete process.env.API_KEY;
    await manager.close();
  });
});

describe('VAULT_ADDR unset', () => {
  it('is disabled, makes no request, and passes when required keys are in the env', async () => {
    const manager = await loadVaultSecrets({
      env: { DATABASE_URL: 'local' },
      required: ['DATABASE_URL'],
      logger: h.logger,
    });
    expect(manager.getStatus()).toMatchObject({
      state: 'disabled',
      authenticated: false,
      secrets_loaded: false,
      vault_url: null,
    });
    expect(manager.getAll()).toEqual({});
    expect(h.server.requests).toHaveLength(0);
  });
});
