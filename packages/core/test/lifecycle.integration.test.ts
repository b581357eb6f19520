/**
 * After start-up, against the dev server with TTLs of seconds: revoke-after-load, refresh, degraded
 * and recovery, token re-login with a rotated token file, lease renewal, rotation at max TTL, and
 * nothing left running after close().
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, timeout } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultError, VaultSecretManager } from '../src';
import { AUTH_MOUNT, NS, PATH, ROLE, SA, startHarness, type Harness } from './support/dev-vault';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

const paths = () => h.server.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
const until = async (check: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

function withDatabase(defaultTtl: number, maxTtl: number): void {
  h.server.configureDatabaseRole('app', { default_ttl: defaultTtl, max_ttl: maxTtl });
  h.server.writePolicy(
    'myapp-dev-read',
    [
      'path "kv/data/ACME/*" { capabilities = ["read"] }',
      'path "database/creds/app" { capabilities = ["read"] }',
      'path "sys/leases/revoke" { capabilities = ["update"] }',
    ].join('\n'),
  );
}
const DYNAMIC = [{ path: 'database/creds/app', keys: { username: 'DB_USER', password: 'DB_PASSWORD' } }];

describe('start-up only (default)', () => {
  it('revokes the token it logged in for, after loading', async () => {
    const m = new VaultSecretManager(h.options({ revokeToken: undefined }));
    await m.initialize();
    await m.close();
    // vault: token-revoke-self
    expect(paths()).toContain('POST /v1/auth/token/revoke-self 204');
    expect(m.getStatus().token_expires_at).toBeNull();
  });

  it('revokes it right after loading, not at close()', async () => {
    const m = new VaultSecretManager(h.options({ revokeToken: undefined }));
    await m.initialize();
    // vault: token-revoke-self
    await until(() => paths().includes('POST /v1/auth/token/revoke-self 204'), 2_000, 'revoke-self');
    const revoke = h.server.requests.find((r) => r.path === '/v1/auth/token/revoke-self')!;
    const read = h.server.requests.find((r) => r.path.startsWith('/v1/kv/data/'))!;
    expect(revoke.start).toBeGreaterThanOrEqual(read.end);
    await m.close();
    expect(paths().filter((p) => p.includes('revoke-self'))).toHaveLength(1);
  });

  it('keeps a token handed to it (token auth) and one it is told to keep', async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'] });
    const m = new VaultSecretManager(h.options({ revokeToken: undefined, authMethod: 'token', token }));
    await m.initialize();
    await m.close();
    const kept = new VaultSecretManager(
      h.options({ env: { VAULT_REVOKE_TOKEN: 'false' }, revokeToken: undefined }),
    );
    await kept.initialize();
    await kept.close();
    expect(paths().filter((p) => p.includes('revoke-self'))).toEqual([]);
    // vault: token-lookup-self
    const res = await fetch(`${h.server.address}/v1/auth/token/lookup-self`, {
      headers: { 'X-Vault-Token': token },
    });
    expect(res.status).toBe(200);
  });
});

describe('refresh', () => {
  it('picks up a changed secret, publishes the key names and updates the env', async () => {
    const env: Record<string, string | undefined> = {};
    const m = new VaultSecretManager(h.options({ env, refreshInterval: 1 }));
    await m.initialize();
    const event = firstValueFrom(m.changes$.pipe(timeout(5_000)));
    h.server.writeSecret('kv', PATH, { API_KEY: 'rotated-api-key', DATABASE_URL: 'postgres://x' });
    const change = await event;
    expect(change.reason).toBe('refresh');
    expect(change.keys).toEqual(expect.arrayContaining(['API_KEY', 'DATABASE_URL', 'PORT']));
    expect(JSON.stringify(change)).not.toContain('rotated-api-key');
    expect(m.get('API_KEY')).toBe('rotated-api-key');
    expect(env.API_KEY).toBe('rotated-api-key');
    expect(env.PORT).toBeUndefined(); // removed in Vault, removed from the env we filled
    await m.close();
  });

  it('a sealed Vault during refresh keeps the last good secrets, shows degraded, then recovers', async () => {
    const m = new VaultSecretManager(h.options({ refreshInterval: 1, retryDelay: 0.05 }));
    await m.initialize();
    const before = m.getAll();
    h.server.seal();
    await until(() => m.getStatus().state === 'degraded', 5_000, 'degraded');
    expect(m.getStatus().last_error).toMatchObject({ code: 'VAULT_SEALED' });
    expect(m.getAll()).toEqual(before);
    h.server.unseal();
    await until(() => m.getStatus().state === 'ready', 5_000, 'ready again');
    expect(m.getStatus().last_error).toBeNull();
    await m.close();
  });
});

describe('token revoked mid-life', () => {
  it('a refresh with a revoked token shows degraded and keeps the last good secrets', async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'] });
    const m = new VaultSecretManager(
      h.options({ authMethod: 'token', token, refreshInterval: 1, retryDelay: 0.05 }),
    );
    await m.initialize();
    const before = m.getAll();
    // vault: permission-denied
    h.server.revokeToken(token);
    await until(() => m.getStatus().state === 'degraded', 5_000, 'degraded');
    // vault: permission-denied
    expect(m.getStatus().last_error?.code).toBe('VAULT_ACCESS_DENIED');
    expect(m.getAll()).toEqual(before);
    expect(JSON.stringify(m.getStatus())).not.toContain(token);
    await m.close();
  });
});

describe('token lifetime', () => {
  it('logs in again when the token cannot be renewed, re-reading a rotated token file', async () => {
    h.server.writeKubernetesRole(AUTH_MOUNT, ROLE, {
      bound_service_account_names: [SA],
      bound_service_account_namespaces: [NS],
      token_policies: ['myapp-dev-read'],
      token_ttl: 3,
      token_max_ttl: 3,
    });
    // vault: jwt-expiry-leeway, token-max-ttl
    // Valid now (Vault allows 60 s of clock skew), invalid within a second: the re-login, due at two
    // thirds of the 3 s TTL, succeeds only if it reads the file again.
    h.server.writeServiceAccountTokenFile(h.tokenPath, {
      namespace: NS,
      serviceAccount: SA,
      ttlSeconds: -59,
    });
    const m = new VaultSecretManager(h.options({ refreshInterval: 30 }));
    await m.initialize();
    const firstExpiry = m.getStatus().token_expires_at;
    h.server.writeServiceAccountTokenFile(h.tokenPath, { namespace: NS, serviceAccount: SA });
    await until(
      () => h.server.requests.filter((r) => r.path.endsWith('/login') && r.status === 200).length >= 2,
      5_000,
      'a second successful login',
    );
    await until(() => m.getStatus().token_expires_at !== firstExpiry, 2_000, 'a new token expiry');
    expect(m.getStatus().state).toBe('ready');
    expect(h.server.requests.filter((r) => r.path.endsWith('/login') && r.status !== 200)).toEqual([]);
    await m.close();
  });
});

describe('token renewal', () => {
  it('renews with renew-self while the max TTL allows, without logging in again', async () => {
    h.server.writeKubernetesRole(AUTH_MOUNT, ROLE, {
      bound_service_account_names: [SA],
      bound_service_account_namespaces: [NS],
      token_policies: ['myapp-dev-read'],
      token_ttl: 2,
      token_max_ttl: 60,
    });
    const m = new VaultSecretManager(h.options({ refreshInterval: 30 }));
    await m.initialize();
    const firstExpiry = m.getStatus().token_expires_at;
    await until(
      () =>
        // vault: token-renew-self
        paths().includes('PUT /v1/auth/token/renew-self 200') ||
        paths().includes('POST /v1/auth/token/renew-self 200'),
      3_000,
      'renew-self',
    );
    await until(() => m.getStatus().token_expires_at !== firstExpiry, 1_000, 'a later token expiry');
    expect(h.server.requests.filter((r) => r.path.endsWith('/login'))).toHaveLength(1);
    expect(m.getStatus().state).toBe('ready');
    await m.close();
  });
});

describe('a token handed in (token auth)', () => {
  it('is looked up once after start-up and renewed with renew-self, never replaced by a login', async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'], ttl: 2, renewable: true });
    const m = new VaultSecretManager(h.options({ authMethod: 'token', token, refreshInterval: 30 }));
    await m.initialize();
    await until(() => paths().some((p) => /renew-self 200$/.test(p)), 3_000, 'renew-self');
    expect(paths().filter((p) => p.includes('lookup-self'))).toEqual(['GET /v1/auth/token/lookup-self 200']);
    expect(paths().filter((p) => p.endsWith('/login'))).toEqual([]);
    expect(m.getStatus().state).toBe('ready');
    await m.close();
  });
});

describe('dynamic secrets', () => {
  it('reads dynamic secrets beside the KV paths, not after them', async () => {
    withDatabase(60, 120);
    h.server.addFault({ type: 'latency', ms: 150 }, { path: /^\/v1\/(kv\/data|database\/creds)\// });
    const m = new VaultSecretManager(h.options({ dynamic: DYNAMIC }));
    await m.initialize();
    // vault: kv2-read, database-creds
    const kv = h.server.requests.find((r) => r.path.startsWith('/v1/kv/data/'))!;
    const db = h.server.requests.find((r) => r.path === '/v1/database/creds/app')!;
    // Overlapping in time: each started before the other ended.
    expect(db.start).toBeLessThan(kv.end);
    expect(kv.start).toBeLessThan(db.end);
    await m.close();
  });

  it('renews the lease at about two thirds of its duration', async () => {
    withDatabase(3, 60);
    const m = new VaultSecretManager(h.options({ dynamic: DYNAMIC }));
    await m.initialize();
    expect(m.get('DB_USER')).toMatch(/^v-/);
    // vault: lease-renew, lifetime-watcher
    await until(() => paths().some((p) => p === 'POST /v1/sys/leases/renew 200'), 4_000, 'a lease renewal');
    const renewAt = h.server.requests.find((r) => r.path === '/v1/sys/leases/renew')!.start;
    const readAt = h.server.requests.find((r) => r.path === '/v1/database/creds/app')!.end;
    expect(renewAt - readAt).toBeGreaterThan(1_500);
    expect(renewAt - readAt).toBeLessThan(2_600);
    await m.close();
    // vault: lease-revoke
    expect(paths()).toContain('POST /v1/sys/leases/revoke 204');
  });

  it('rotates before the max TTL: new credentials, a rotation event with values, old lease revoked', async () => {
    withDatabase(2, 3);
    const env: Record<string, string | undefined> = {};
    const m = new VaultSecretManager(h.options({ env, dynamic: DYNAMIC }));
    await m.initialize();
    const firstUser = m.get('DB_USER');
    const rotation = await firstValueFrom(m.rotations$.pipe(timeout(6_000)));
    expect(rotation.path).toBe('database/creds/app');
    expect(rotation.values.DB_USER).not.toBe(firstUser);
    expect(rotation.values.DB_USER).toBe(m.get('DB_USER'));
    expect(env.DB_PASSWORD).toBe(rotation.values.DB_PASSWORD);
    expect(m.getStatus().state).toBe('ready');
    // vault: lease-revoke
    await until(() => paths().includes('POST /v1/sys/leases/revoke 204'), 4_000, 'the old lease revoked');
    await m.close();
  });

  it('readiness goes down only when a lease expires with no replacement', async () => {
    withDatabase(1, 1);
    const m = new VaultSecretManager(h.options({ dynamic: DYNAMIC, retryDelay: 0.05 }));
    await m.initialize();
    // vault: sealed-503
    h.server.seal(); // no new credentials can be fetched
    await until(() => m.getStatus().state === 'failed', 4_000, 'failed');
    expect(m.getStatus().last_error).toMatchObject({ code: 'VAULT_LEASE_FAILED' });
    h.server.unseal();
    await m.close();
  });
});

describe('close()', () => {
  const dist = fileURLToPath(new URL('../dist/index.cjs', import.meta.url));
  it('leaves nothing running: the process exits by itself', async () => {
    withDatabase(30, 60);
    const options = { ...h.options({ refreshInterval: 1, dynamic: DYNAMIC }), logger: undefined, env: {} };
    const script = `
      const { VaultSecretManager } = require(${JSON.stringify(dist)});
      const m = new VaultSecretManager({ ...${JSON.stringify(options)}, logger: false });
      m.initialize().then(() => m.close()).then(() => console.log('closed'));
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await Promise.race([
      new Promise<number | null>((r) => child.on('exit', r)),
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 8_000)),
    ]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code, out).toBe(0);
    expect(out).toContain('closed');
    expect(paths()).toContain('POST /v1/sys/leases/revoke 204');
  });
});

/** A consumer's own error class, as @vault-config/pg's VaultPoolError: VaultError is built through a subclass. */
class ConsumerError extends VaultError {
  constructor(message: string) {
    super('VAULT_POOL_CHECK_FAILED', message);
  }
}

describe('reportConsumerError', () => {
  it('a consumer failure shows degraded (still ready) until the consumer reports recovery', async () => {
    const m = new VaultSecretManager(h.options({ refreshInterval: 60 }));
    await m.initialize();
    expect(m.getStatus().state).toBe('ready');
    const failure = new ConsumerError('the pool check failed (28P01)');
    m.reportConsumerError('pg pool', failure);
    expect(m.getStatus()).toMatchObject({
      state: 'degraded',
      last_error: { name: 'ConsumerError', code: 'VAULT_POOL_CHECK_FAILED', message: failure.message },
    });
    // Another consumer recovering does not clear this one's failure.
    m.reportConsumerError('other pool', null);
    expect(m.getStatus().state).toBe('degraded');
    m.reportConsumerError('pg pool', null);
    expect(m.getStatus()).toMatchObject({ state: 'ready', last_error: null });
    await m.close();
    m.reportConsumerError('pg pool', failure);
    expect(m.getStatus().state).toBe('ready');
  });

  it('names a foreign error only, so a driver message cannot leak into the status', async () => {
    const m = new VaultSecretManager(h.options());
    await m.initialize();
    m.reportConsumerError('pg pool', new Error('password authentication failed for user "v-app-secret"'));
    expect(m.getStatus().last_error).toMatchObject({ code: 'UNKNOWN', message: 'Error (details withheld)' });
    await m.close();
  });

  it('does nothing before loading: a manager that has not loaded stays not ready', () => {
    const m = new VaultSecretManager(h.options());
    m.reportConsumerError('pg pool', new ConsumerError('check failed'));
    expect(m.getStatus().state).toBe('loading');
  });
});
