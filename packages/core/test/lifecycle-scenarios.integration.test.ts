/**
 * The lifecycle against the dev server over HTTP, in real time: the production conditions that break
 * a naive lifecycle (Vault's 768 h default lease, a path without a lease, an outage longer than a
 * lease, a slow rotation, a refresh that drops a required key, close() during start-up, a failed
 * start-up holding leases, start anyway then recover). The fake-clock tests cover the same cases
 * over months; these show the wiring does what the units promise.
 */
import { firstValueFrom, filter, timeout } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultSecretManager, type VaultError } from '../src';
import { PATH, startHarness, type Harness, allowDatabase } from './support/dev-vault';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

const log = () => h.server.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (check: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
};

const DYNAMIC = [{ path: 'database/creds/app', keys: { username: 'DB_USER', password: 'DB_PASSWORD' } }];

describe('long lifetimes', () => {
  it('a 768 h lease and a 30-day refresh: no request and no TimeoutOverflowWarning in the first second', async () => {
    allowDatabase(h.server, 0, 0); // no default_ttl: Vault's system default of 768 h
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const m = new VaultSecretManager(
      h.options({ dynamic: DYNAMIC, refreshInterval: '720h', timeout: '10m' }),
    );
    await m.initialize();
    const after = h.server.requests.length;
    await sleep(1_000);
    process.off('warning', onWarning);
    expect(h.server.requests.slice(after).map((r) => r.path)).toEqual([]);
    expect(warnings).toEqual([]);
    expect(m.getStatus().state).toBe('ready');
    await m.close();
  });

  it('a per-request timeout of a month is refused, naming the variable', async () => {
    const m = new VaultSecretManager(h.options({ env: { VAULT_TIMEOUT: '720h' } }));
    await expect(m.initialize()).rejects.toMatchObject({
      code: 'VAULT_CONFIG_INVALID',
      setting: 'VAULT_TIMEOUT',
    });
    expect(h.server.requests).toEqual([]);
  });
});

describe('a dynamic path without a lease', () => {
  it('loads, is neither renewed nor revoked as lease "", and does not loop', async () => {
    const m = new VaultSecretManager(
      h.options({ dynamic: [{ path: `kv/data/${PATH}`, keys: { metadata: 'KV_METADATA' } }] }),
    );
    await m.initialize();
    // vault: kv2-read
    expect(JSON.parse(m.get('KV_METADATA') as string)).toMatchObject({ version: 1 });
    const after = h.server.requests.length;
    await sleep(1_500);
    expect(h.server.requests.slice(after)).toEqual([]);
    await m.close();
    expect(log().filter((l) => l.includes('sys/leases'))).toEqual([]);
  });
});

describe('outages and slow answers', () => {
  it('an outage three times longer than the lease ends with fresh credentials and ready, without a restart', async () => {
    allowDatabase(h.server, 1, 60);
    const m = new VaultSecretManager(h.options({ dynamic: DYNAMIC, retryDelay: 0.05 }));
    await m.initialize();
    const firstUser = m.get('DB_USER');
    h.server.seal();
    await until(() => m.getStatus().state === 'failed', 3_000, 'failed after the lease expired');
    await sleep(2_000);
    h.server.unseal();
    await until(() => m.getStatus().state === 'ready', 5_000, 'ready again');
    expect(m.get('DB_USER')).not.toBe(firstUser);
    expect(m.getStatus().last_error).toBeNull();
    // Retries during the outage kept their floor: a handful per second at most.
    // vault: sealed-503
    const during = h.server.requests.filter((r) => r.status === 503);
    expect(during.length).toBeLessThanOrEqual(12);
    await m.close();
  });

  it('with refresh on, a successful KV refresh does not make a pod with an expired lease ready', async () => {
    allowDatabase(h.server, 1, 60);
    const m = new VaultSecretManager(h.options({ dynamic: DYNAMIC, refreshInterval: 1, retryDelay: 0.05 }));
    await m.initialize();
    // The database engine fails, KV keeps answering.
    const remove = h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: /^\/v1\/(database\/creds|sys\/leases\/renew)/ },
    );
    await until(() => m.getStatus().state === 'failed', 3_000, 'failed at the lease expiry');
    const reads = () =>
      h.server.requests.filter((r) => r.path.startsWith('/v1/kv/data/') && r.status === 200).length;
    const before = reads();
    await until(() => reads() > before, 3_000, 'a successful refresh');
    await sleep(50);
    expect(m.getStatus()).toMatchObject({ state: 'failed', last_error: { code: 'VAULT_LEASE_FAILED' } });
    remove();
    await until(() => m.getStatus().state === 'ready', 5_000, 'ready with new credentials');
    await m.close();
  });

  it('renewal refused and a rotation slower than the lease: failed, then ready when the credentials arrive', async () => {
    allowDatabase(h.server, 2, 60);
    h.server.addFault(
      // vault: lease-unknown
      { type: 'status', status: 400, body: { errors: ['lease not found'] } },
      { path: '/v1/sys/leases/renew' },
    );
    const m = new VaultSecretManager(h.options({ dynamic: DYNAMIC }));
    await m.initialize();
    h.server.addFault({ type: 'latency', ms: 1_500 }, { path: '/v1/database/creds/app', times: 1 });
    await until(() => m.getStatus().state === 'failed', 4_000, 'failed at the expiry');
    await until(() => m.getStatus().state === 'ready', 4_000, 'ready when the slow credentials arrive');
    await m.close();
  });
});

describe('validate, then commit', () => {
  it('a refresh without a required key is not applied: degraded with its code, last good kept', async () => {
    const env: Record<string, string | undefined> = {};
    const m = new VaultSecretManager(h.options({ env, refreshInterval: 1, required: ['DATABASE_URL'] }));
    await m.initialize();
    const url = env.DATABASE_URL;
    h.server.writeSecret('kv', PATH, { API_KEY: 'only-this' });
    await until(() => m.getStatus().state === 'degraded', 4_000, 'degraded');
    expect(m.getStatus().last_error?.code).toBe('VAULT_REQUIRED_KEYS_MISSING');
    expect(env.DATABASE_URL).toBe(url);
    expect(m.get('API_KEY')).not.toBe('only-this');
    h.server.writeSecret('kv', PATH, { API_KEY: 'fixed', DATABASE_URL: 'postgres://new' });
    await until(() => m.getStatus().state === 'ready', 4_000, 'ready after the fix');
    expect(env.DATABASE_URL).toBe('postgres://new');
    await m.close();
  });

  it('a refresh that changes nothing publishes nothing and keeps loaded_at', async () => {
    const m = new VaultSecretManager(h.options({ refreshInterval: 1 }));
    await m.initialize();
    const loadedAt = m.getStatus().loaded_at;
    const events: unknown[] = [];
    m.changes$.subscribe((e) => events.push(e));
    await until(
      () => h.server.requests.filter((r) => r.path.includes('/kv/data/')).length >= 2,
      3_000,
      'a refresh',
    );
    await sleep(50);
    expect(events).toEqual([]);
    expect(m.getStatus().loaded_at).toBe(loadedAt);
    await m.close();
  });
});

describe('closing is final', () => {
  it('close() during initialize(): rejects VAULT_CLOSED, injects nothing, revokes the token, no more requests', async () => {
    allowDatabase(h.server, 60, 120);
    h.server.addFault({ type: 'latency', ms: 400 }, { path: /\/v1\/kv\/data\// });
    const env: Record<string, string | undefined> = {};
    const m = new VaultSecretManager(h.options({ env, dynamic: DYNAMIC, refreshInterval: 1 }));
    const init = m.initialize();
    await until(() => log().some((l) => l.includes('/database/creds/app 200')), 3_000, 'the dynamic read');
    await m.close();
    await expect(init).rejects.toMatchObject({ name: 'VaultConfigurationError', code: 'VAULT_CLOSED' });
    expect(env).toEqual({});
    expect(m.get('DATABASE_URL')).toBeUndefined();
    // vault: lease-revoke, token-revoke-self
    expect(log()).toContain('POST /v1/sys/leases/revoke 204');
    expect(log()).toContain('POST /v1/auth/token/revoke-self 204');
    const after = h.server.requests.length;
    await sleep(1_500);
    expect(h.server.requests.length).toBe(after);
    await expect(m.initialize()).rejects.toMatchObject({ code: 'VAULT_CLOSED' });
  });

  it('a failed start-up gives back the leases issued beside the failing read, and the token', async () => {
    allowDatabase(h.server, 60, 120);
    const m = new VaultSecretManager(h.options({ dynamic: DYNAMIC, path: 'NOT/ALLOWED' }));
    await expect(m.initialize()).rejects.toMatchObject({ code: 'VAULT_ACCESS_DENIED' });
    // vault: lease-revoke, token-revoke-self
    expect(log()).toContain('POST /v1/sys/leases/revoke 204');
    expect(log()).toContain('POST /v1/auth/token/revoke-self 204');
    expect(m.getStatus()).toMatchObject({ state: 'failed', authenticated: false });
    await m.close();
  });

  it('a start-up missing a required key gives back its leases too', async () => {
    allowDatabase(h.server, 60, 120);
    const m = new VaultSecretManager(h.options({ dynamic: DYNAMIC, required: ['NOT_THERE'] }));
    await expect(m.initialize()).rejects.toMatchObject({ code: 'VAULT_REQUIRED_KEYS_MISSING' });
    expect(log()).toContain('POST /v1/sys/leases/revoke 204');
    await m.close();
  });
});

describe('start anyway, then recover', () => {
  it('initializeInBackground(): failed while sealed, then ready and changes$ announces the keys', async () => {
    h.server.seal();
    const m = new VaultSecretManager(h.options({ retryDelay: 0.05, maxRetries: 0 }));
    const loaded = firstValueFrom(
      m.changes$.pipe(
        filter((e) => e.reason === 'load'),
        timeout(8_000),
      ),
    );
    m.initializeInBackground();
    await until(() => m.getStatus().state === 'failed', 3_000, 'failed');
    h.server.unseal();
    const event = await loaded;
    expect(event.keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'API_KEY']));
    expect(m.getStatus().state).toBe('ready');
    await m.close();
  });

  it('a configuration error is not retried', async () => {
    const m = new VaultSecretManager(h.options({ env: { VAULT_TIMEOUT: 'soon' } }));
    m.initializeInBackground();
    await sleep(1_200);
    expect(m.getStatus()).toMatchObject({ state: 'failed', last_error: { code: 'VAULT_CONFIG_INVALID' } });
    expect(h.server.requests).toEqual([]);
    await m.close();
  });

  it('close() stops the background retries', async () => {
    h.server.seal();
    const m = new VaultSecretManager(h.options({ retryDelay: 0.05, maxRetries: 0 }));
    m.initializeInBackground();
    await until(() => m.getStatus().state === 'failed', 3_000, 'failed');
    await m.close();
    const after = h.server.requests.length;
    await sleep(1_500);
    expect(h.server.requests.length).toBe(after);
    expect((await m.initialize().catch((e: VaultError) => e)).code).toBeDefined();
  });
});
