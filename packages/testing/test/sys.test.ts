import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call, ENVELOPE_KEYS } from './helpers';

let vault: VaultDevServer;
beforeAll(async () => {
  vault = await startVaultDevServer();
});
afterAll(() => vault.close());

describe('sys/health', () => {
  it('answers 200 with the health body when active and unsealed', async () => {
    const r = await call(vault, 'GET', 'sys/health');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.json).toMatchObject({ initialized: true, sealed: false, standby: false, enterprise: false });
    expect(typeof r.json.server_time_utc).toBe('number');
    expect(r.json.cluster_name).toMatch(/^vault-cluster-/);
  });

  it('HEAD gives the code without a body', async () => {
    const r = await call(vault, 'HEAD', 'sys/health');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
  });

  it('honours activecode, and rejects a non-integer code with 400 {"errors":[]}', async () => {
    expect((await call(vault, 'GET', 'sys/health?activecode=299')).status).toBe(299);
    const bad = await call(vault, 'GET', 'sys/health?activecode=abc');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ errors: [] });
  });

  it('is 503 sealed (body without cluster fields), sealedcode overrides; non-sys requests get 503 Vault is sealed', async () => {
    vault.seal();
    try {
      const r = await call(vault, 'GET', 'sys/health');
      expect(r.status).toBe(503);
      expect(r.json.sealed).toBe(true);
      expect(r.json).not.toHaveProperty('cluster_id');
      expect((await call(vault, 'GET', 'sys/health?sealedcode=299')).status).toBe(299);
      const read = await call(vault, 'GET', 'kv/data/x', { token: vault.rootToken });
      expect(read.status).toBe(503);
      expect(read.json).toEqual({ errors: ['Vault is sealed'] });
      const status = await call(vault, 'GET', 'sys/seal-status');
      expect(status.status).toBe(200);
      expect(status.json.sealed).toBe(true);
    } finally {
      vault.unseal();
    }
    expect((await call(vault, 'GET', 'sys/health')).status).toBe(200);
  });

  it('is 501 uninitialized, uninitcode overrides, and sys/init says so', async () => {
    vault.setInitialized(false);
    try {
      const r = await call(vault, 'GET', 'sys/health');
      expect(r.status).toBe(501);
      expect(r.json).toMatchObject({ initialized: false, sealed: true });
      expect((await call(vault, 'GET', 'sys/health?uninitcode=200')).status).toBe(200);
      expect((await call(vault, 'GET', 'sys/init')).json).toEqual({ initialized: false });
      expect((await call(vault, 'GET', 'kv/data/x', { token: vault.rootToken })).status).toBe(503);
    } finally {
      vault.setInitialized(true);
    }
  });

  it('accepts standbyok=true and rejects an unparseable bool with 400', async () => {
    expect((await call(vault, 'GET', 'sys/health?standbyok=true&perfstandbyok=true')).status).toBe(200);
    expect((await call(vault, 'GET', 'sys/health?standbyok=maybe')).status).toBe(400);
  });

  it('rejects other methods with 405', async () => {
    expect((await call(vault, 'POST', 'sys/health', { body: {} })).status).toBe(405);
  });
});

describe('sys/seal-status and sys/init', () => {
  it('reports the seal status', async () => {
    const r = await call(vault, 'GET', 'sys/seal-status');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      type: 'shamir',
      initialized: true,
      sealed: false,
      t: 1,
      n: 1,
      progress: 0,
    });
  });
  it('reports initialized, and PUT on an initialized server is 400', async () => {
    expect((await call(vault, 'GET', 'sys/init')).json).toEqual({ initialized: true });
    const r = await call(vault, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    expect(r.status).toBe(400);
    expect(r.json.errors[0]).toContain('already initialized');
  });
});

describe('routing and tokens', () => {
  it('answers an unknown mount with 404 no handler for route', async () => {
    const r = await call(vault, 'GET', 'nope/foo/bar', { token: vault.rootToken });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ errors: ['no handler for route "nope/foo/bar". route entry not found.'] });
  });
  it('answers a path outside /v1/ with 404 {"errors":[]}', async () => {
    const res = await fetch(`${vault.address}/other`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: [] });
  });
  it('needs a token on authenticated paths: 403 permission denied', async () => {
    const r = await call(vault, 'GET', 'kv/data/x');
    expect(r.status).toBe(403);
    expect(r.json.errors[0]).toContain('permission denied');
  });
  it('rejects an unknown token with 403 permission denied + invalid token', async () => {
    const r = await call(vault, 'GET', 'kv/data/x', { token: 'hvs.unknown' });
    expect(r.status).toBe(403);
    expect(r.json.errors[0]).toContain('permission denied');
    expect(r.json.errors[0]).toContain('invalid token');
  });
  it('accepts Authorization: Bearer and X-Vault-Namespace', async () => {
    vault.writeSecret('kv', 'bearer', { A: '1' });
    const r = await call(vault, 'GET', 'kv/data/bearer', {
      headers: {
        Authorization: `Bearer ${vault.rootToken}`,
        'X-Vault-Namespace': 'admin/',
        'X-Vault-Request': 'true',
      },
    });
    expect(r.status).toBe(200);
    expect(r.json.data.data).toEqual({ A: '1' });
  });
  it('answers an unsupported method with 405', async () => {
    const res = await fetch(`${vault.address}/v1/kv/data/x`, {
      method: 'OPTIONS',
      headers: { 'X-Vault-Token': vault.rootToken },
    });
    expect(res.status).toBe(405);
  });
  it('rejects a malformed JSON request body with 400', async () => {
    const res = await fetch(`${vault.address}/v1/kv/data/x`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.rootToken },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    // http/logical.go buildLogicalRequestNoAuth: parseJSONRequest failure → 400 "error parsing JSON".
    expect(((await res.json()) as { errors: string[] }).errors).toEqual(['error parsing JSON']);
  });
});

describe('sys/mounts and sys/internal/ui/mounts', () => {
  it('lists the default kv and secret mounts as KV v2', async () => {
    const r = await call(vault, 'GET', 'sys/mounts', { token: vault.rootToken });
    expect(r.status).toBe(200);
    expect(r.json.data['kv/']).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(r.json.data['secret/']).toMatchObject({ type: 'kv', options: { version: '2' } });
  });
  it('enables a KV v1 and a KV v2 mount; a second enable is 400', async () => {
    const v1 = await call(vault, 'POST', 'sys/mounts/old', { token: vault.rootToken, body: { type: 'kv' } });
    expect(v1.status).toBe(204);
    const v2 = await call(vault, 'POST', 'sys/mounts/new', {
      token: vault.rootToken,
      body: { type: 'kv', options: { version: '2' } },
    });
    expect(v2.status).toBe(204);
    const again = await call(vault, 'POST', 'sys/mounts/new', {
      token: vault.rootToken,
      body: { type: 'kv' },
    });
    expect(again.status).toBe(400);
    expect(again.json.errors[0]).toContain('path is already in use');
    const ui1 = await call(vault, 'GET', 'sys/internal/ui/mounts/old/some/path', { token: vault.rootToken });
    expect(ui1.json.data).toMatchObject({ path: 'old/', type: 'kv', options: { version: '1' } });
    const ui2 = await call(vault, 'GET', 'sys/internal/ui/mounts/new', { token: vault.rootToken });
    expect(Object.keys(ui2.json)).toEqual(ENVELOPE_KEYS);
    expect(ui2.json.data).toMatchObject({ path: 'new/', type: 'kv', options: { version: '2' } });
  });
  it('internal/ui/mounts: no token → 403; a token without access under the mount → 403 preflight', async () => {
    expect((await call(vault, 'GET', 'sys/internal/ui/mounts/kv')).status).toBe(403);
    vault.writePolicy('other', 'path "secret/data/*" { capabilities = ["read"] }');
    const token = vault.createToken({ policies: ['other'] });
    const r = await call(vault, 'GET', 'sys/internal/ui/mounts/kv/x', { token });
    expect(r.status).toBe(403);
    expect(r.json.errors[0]).toContain('preflight capability check returned 403');
    expect((await call(vault, 'GET', 'sys/internal/ui/mounts/secret/x', { token })).status).toBe(200);
  });
  it('a non-root token cannot list mounts', async () => {
    const token = vault.createToken({ policies: ['other'] });
    const r = await call(vault, 'GET', 'sys/mounts', { token });
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
  });
});
