/**
 * Token endpoints (vault/token_store.go handleLookup, handleRenew, handleRevokeTree/revokeCommon),
 * response wrapping (http/logical.go requestWrapInfo and respondLogical's wrap_info;
 * vault/logical_system.go handleWrappingUnwrap / handleWrappingLookup) and `?help=1` (http/help.go).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call, ENVELOPE_KEYS } from './helpers';

let vault: VaultDevServer;
let root: string;
beforeAll(async () => {
  vault = await startVaultDevServer();
  root = vault.rootToken;
  vault.writeSecret('kv', 'ACME/DEV/MYAPP', { DATABASE_URL: 'postgres://x' });
});
afterAll(() => vault.close());

describe('token endpoints', () => {
  it('revoke of an unknown or already revoked token is 204 (idempotent); without token 400 missing token ID', async () => {
    const t = vault.createToken();
    expect((await call(vault, 'POST', 'auth/token/revoke', { token: root, body: { token: t } })).status).toBe(
      204,
    );
    expect((await call(vault, 'POST', 'auth/token/revoke', { token: root, body: { token: t } })).status).toBe(
      204,
    );
    expect(
      (await call(vault, 'POST', 'auth/token/revoke', { token: root, body: { token: 'hvs.never' } })).status,
    ).toBe(204);
    const empty = await call(vault, 'POST', 'auth/token/revoke', { token: root, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.json.errors).toEqual(['missing token ID']);
  });

  it('renew of a revoked token is 400 token not found; without token 400 missing token ID', async () => {
    const t = vault.createToken();
    vault.revokeToken(t);
    const r = await call(vault, 'POST', 'auth/token/renew', { token: root, body: { token: t } });
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual(['token not found']);
    const empty = await call(vault, 'POST', 'auth/token/renew', { token: root, body: {} });
    expect(empty.json.errors).toEqual(['missing token ID']);
  });

  it('lookup without a token field looks up the caller; an unknown token is 403 bad token', async () => {
    const t = vault.createToken({ policies: ['p1'] });
    vault.writePolicy('p1', 'path "auth/token/lookup" { capabilities = ["update"] }');
    const self = await call(vault, 'POST', 'auth/token/lookup', { token: t, body: {} });
    expect(self.status).toBe(200);
    expect(self.json.data.id).toBe(t);
    const other = await call(vault, 'POST', 'auth/token/lookup', {
      token: root,
      body: { token: 'hvs.nope' },
    });
    expect(other.status).toBe(403);
    expect(other.json.errors).toEqual(['bad token']);
  });
});

describe('response wrapping', () => {
  it('X-Vault-Wrap-TTL answers data: null and wrap_info; unwrap gives the original body once', async () => {
    const wrapped = await call(vault, 'GET', 'kv/data/ACME/DEV/MYAPP', {
      token: root,
      headers: { 'X-Vault-Wrap-TTL': '5m' },
    });
    expect(wrapped.status).toBe(200);
    expect(Object.keys(wrapped.json)).toEqual(ENVELOPE_KEYS);
    expect(wrapped.json.data).toBeNull();
    const info = wrapped.json.wrap_info;
    expect(info).toMatchObject({ ttl: 300, creation_path: 'kv/data/ACME/DEV/MYAPP' });
    expect(info.token).toMatch(/^hvs\./);
    expect(Date.parse(info.creation_time)).not.toBeNaN();
    // The wrapping token unwraps itself.
    const unwrapped = await call(vault, 'POST', 'sys/wrapping/unwrap', { token: info.token });
    expect(unwrapped.status).toBe(200);
    expect(unwrapped.json.data.data).toEqual({ DATABASE_URL: 'postgres://x' });
    const twice = await call(vault, 'POST', 'sys/wrapping/unwrap', { token: info.token });
    expect(twice.status).toBe(400);
    expect(twice.json.errors).toEqual(['wrapping token is not valid or does not exist']);
  });

  it('another token unwraps with `token` in the body; lookup is unauthenticated', async () => {
    const wrapped = await call(vault, 'POST', 'auth/token/create', {
      token: root,
      body: { policies: ['default'] },
      headers: { 'X-Vault-Wrap-TTL': '60' },
    });
    const info = wrapped.json.wrap_info;
    expect(info.wrapped_accessor).toMatch(/.+/);
    const lookup = await call(vault, 'POST', 'sys/wrapping/lookup', { body: { token: info.token } });
    expect(lookup.status).toBe(200);
    expect(lookup.json.data).toMatchObject({ creation_path: 'auth/token/create', creation_ttl: 60 });
    const caller = vault.createToken();
    const r = await call(vault, 'POST', 'sys/wrapping/unwrap', {
      token: caller,
      body: { token: info.token },
    });
    expect(r.status).toBe(200);
    expect(r.json.auth.client_token).toMatch(/^hvs\./);
    expect(r.json.auth.accessor).toBe(info.wrapped_accessor);
  });

  it('a bad header is 400; errors and 204s are never wrapped', async () => {
    const bad = await call(vault, 'GET', 'kv/data/ACME/DEV/MYAPP', {
      token: root,
      headers: { 'X-Vault-Wrap-TTL': 'abc' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatch(/^error parsing X-Vault-Wrap-TTL header: /);
    const missing = await call(vault, 'GET', 'kv/data/none', {
      token: root,
      headers: { 'X-Vault-Wrap-TTL': '60' },
    });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ errors: [] });
  });
});

describe('?help=1', () => {
  it('answers {help, openapi, see_also} for a mounted path with a valid token', async () => {
    const r = await call(vault, 'GET', 'kv/data/x?help=1', { token: root });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(['help', 'openapi', 'see_also']);
    expect(r.json.help).toContain('Key-Value');
    expect(r.json.openapi.openapi).toBe('3.0.2');
  });

  it('needs a token (403) and a mount (404 no handler)', async () => {
    expect((await call(vault, 'GET', 'kv/data/x?help=1')).status).toBe(403);
    const none = await call(vault, 'GET', 'nomount/x?help=1', { token: root });
    expect(none.status).toBe(404);
    expect(none.json.errors).toEqual(['no handler for route "nomount/x". route entry not found.']);
  });
});
