/**
 * sys/ endpoints as vault/logical_system.go answers them. Paths in Vault's http/handler.go
 * injectDataIntoTopRoutes (sys/mounts, sys/mounts/, sys/auth, sys/auth/, sys/policy, sys/policy/)
 * copy the `data` keys to the top level of the body too; sys/policies/acl does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call, ENVELOPE_KEYS } from './helpers';

let vault: VaultDevServer;
let root: string;
beforeAll(async () => {
  vault = await startVaultDevServer();
  root = vault.rootToken;
  vault.enableKubernetesAuth('kubernetes-dev');
});
afterAll(() => vault.close());

describe('sys/mounts', () => {
  it('always lists sys/, cubbyhole/ and identity/ beside the KV mounts (a dev Vault has them)', async () => {
    const r = await call(vault, 'GET', 'sys/mounts', { token: root });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json.data).sort()).toEqual(['cubbyhole/', 'identity/', 'kv/', 'secret/', 'sys/']);
    expect(r.json.data['sys/'].type).toBe('system');
    expect(r.json.data['cubbyhole/']).toMatchObject({ type: 'cubbyhole', local: true });
    expect(r.json.data['identity/'].type).toBe('identity');
    // Injected: the same entries at the top level.
    expect(r.json['kv/']).toEqual(r.json.data['kv/']);
  });

  it('GET sys/mounts/<path> returns the mount info (MatchingMountEntry: any path under it), copied to the top level', async () => {
    // vault/logical_system.go handleReadMount → mountInfo.
    const r = await call(vault, 'GET', 'sys/mounts/kv', { token: root });
    expect(r.status).toBe(200);
    expect(r.json.data).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(r.json.data.accessor).toMatch(/^kv_/);
    expect(r.json.data.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.json.data.config).toEqual({ default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 });
    expect(r.json.type).toBe('kv');
    expect(r.json.uuid).toBe(r.json.data.uuid);
    const under = await call(vault, 'GET', 'sys/mounts/kv/some/path', { token: root });
    expect(under.json.data.uuid).toBe(r.json.data.uuid);
  });

  it('a missing mount is 400 "No secret engine mount at <path>/"', async () => {
    // handleReadMount: logical.ErrorResponse("No secret engine mount at %s", path) → 400.
    const r = await call(vault, 'GET', 'sys/mounts/nowhere', { token: root });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: ['No secret engine mount at nowhere/'] });
  });

  it('GET sys/mounts/<path>/tune returns the tune config; a missing mount is 400', async () => {
    // handleTuneReadCommon: description, default/max lease TTL (system 768h), force_no_cache, options.
    const r = await call(vault, 'GET', 'sys/mounts/kv/tune', { token: root });
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({
      description: 'key/value secret storage',
      default_lease_ttl: 2764800,
      max_lease_ttl: 2764800,
      force_no_cache: false,
      options: { version: '2' },
    });
    const missing = await call(vault, 'GET', 'sys/mounts/nowhere/tune', { token: root });
    expect(missing.status).toBe(400);
    expect(missing.json.errors[0]).toBe('cannot fetch sysview for path "nowhere/"');
  });

  it('enabling without a type is 400; built-in paths are in use; disabling is 204 even when absent', async () => {
    const noType = await call(vault, 'POST', 'sys/mounts/x', { token: root, body: {} });
    expect(noType.status).toBe(400);
    expect(noType.json.errors).toEqual(['backend type must be specified as a string']);
    expect(
      (await call(vault, 'POST', 'sys/mounts/kv1', { token: root, body: { type: 'kv-v1' } })).status,
    ).toBe(204);
    expect((await call(vault, 'GET', 'sys/mounts/kv1', { token: root })).json.data.options).toEqual({
      version: '1',
    });
    expect((await call(vault, 'POST', 'sys/mounts/sys', { token: root, body: { type: 'kv' } })).status).toBe(
      400,
    );
    // handleUnmount: "We return success when the mount does not exist".
    expect((await call(vault, 'DELETE', 'sys/mounts/never', { token: root })).status).toBe(204);
  });
});

describe('sys/internal/ui/mounts', () => {
  it('without a path answers {secret, auth} of the mounts the caller may use', async () => {
    // vault/logical_system.go handleInternalUIMountsRead.
    const r = await call(vault, 'GET', 'sys/internal/ui/mounts', { token: root });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json.data).sort()).toEqual(['auth', 'secret']);
    expect(r.json.data.secret['kv/'].type).toBe('kv');
    expect(r.json.data.auth['token/'].type).toBe('token');
    expect(r.json.data.auth['kubernetes-dev/'].type).toBe('kubernetes');
    vault.writePolicy('ui-kv', 'path "kv/data/*" { capabilities = ["read"] }');
    const token = vault.createToken({ policies: ['ui-kv'] });
    const limited = await call(vault, 'GET', 'sys/internal/ui/mounts', { token });
    expect(Object.keys(limited.json.data.secret)).toContain('kv/');
    expect(Object.keys(limited.json.data.secret)).not.toContain('secret/');
    // Unauthenticated: only listing_visibility=unauth mounts, of which a dev server has none.
    const anon = await call(vault, 'GET', 'sys/internal/ui/mounts');
    expect(anon.status).toBe(200);
    expect(anon.json.data).toEqual({ auth: {}, secret: {} });
  });
});

describe('sys/auth', () => {
  it('lists full entries (token/ always), copied to the top level', async () => {
    const r = await call(vault, 'GET', 'sys/auth', { token: root });
    expect(r.status).toBe(200);
    const token = r.json.data['token/'];
    expect(token).toMatchObject({ type: 'token', description: 'token based credentials', local: false });
    expect(token.config).toMatchObject({
      token_type: 'default-service',
      default_lease_ttl: 0,
      max_lease_ttl: 0,
    });
    expect(token.accessor).toMatch(/^auth_token_/);
    expect(r.json.data['kubernetes-dev/']).toMatchObject({ type: 'kubernetes' });
    expect(r.json['token/']).toEqual(token);
  });

  it('enables, reads, tunes-reads and disables (DELETE → 204, again → 204)', async () => {
    expect(
      (await call(vault, 'POST', 'sys/auth/ar', { token: root, body: { type: 'approle' } })).status,
    ).toBe(204);
    const again = await call(vault, 'POST', 'sys/auth/ar', { token: root, body: { type: 'approle' } });
    expect(again.status).toBe(400);
    expect(again.json.errors).toEqual(['path is already in use at auth/ar/']);
    expect((await call(vault, 'GET', 'sys/auth/ar', { token: root })).json.data.type).toBe('approle');
    const tune = await call(vault, 'GET', 'sys/auth/ar/tune', { token: root });
    expect(tune.json.data).toMatchObject({ default_lease_ttl: 2764800, token_type: 'default-service' });
    // vault/logical_system.go handleDisableAuth: 204, also for a path that is not mounted.
    expect((await call(vault, 'DELETE', 'sys/auth/ar', { token: root })).status).toBe(204);
    expect((await call(vault, 'DELETE', 'sys/auth/ar', { token: root })).status).toBe(204);
    const gone = await call(vault, 'POST', 'auth/ar/login', { body: { role_id: 'x' } });
    expect(gone.status).toBe(404);
    expect((await call(vault, 'GET', 'sys/auth/ar', { token: root })).json.errors).toEqual([
      'No auth engine at ar/',
    ]);
  });
});

describe('sys/policy and sys/policies/acl', () => {
  it('GET and LIST sys/policy list the names (keys and policies, root included), copied to the top level', async () => {
    const get = await call(vault, 'GET', 'sys/policy', { token: root });
    expect(get.json.data.keys).toEqual(expect.arrayContaining(['default', 'root']));
    expect(get.json.data.policies).toEqual(get.json.data.keys);
    expect(get.json.keys).toEqual(get.json.data.keys);
    const list = await call(vault, 'LIST', 'sys/policy', { token: root });
    expect(list.json.data.keys).toEqual(get.json.data.keys);
    const acl = await call(vault, 'LIST', 'sys/policies/acl', { token: root });
    expect(acl.json.data.keys).toEqual(get.json.data.keys);
    expect(acl.json).not.toHaveProperty('keys');
  });

  it('sys/policy/<name> answers `rules` at data and top level; sys/policies/acl/<name> answers `policy`', async () => {
    // vault/logical_system.go handlePoliciesRead: policyKey is "rules" for sys/policy, "policy" for sys/policies/acl.
    const hcl = 'path "kv/data/x" { capabilities = ["read"] }';
    // handlePoliciesSet: `rules` still works on sys/policy, with a deprecation warning.
    const written = await call(vault, 'PUT', 'sys/policy/Shape', { token: root, body: { rules: hcl } });
    expect(written.status).toBe(200);
    expect(written.json.warnings).toEqual(["'rules' is deprecated, please use 'policy' instead"]);
    const old = await call(vault, 'GET', 'sys/policy/shape', { token: root });
    expect(old.json.data).toEqual({ name: 'shape', rules: hcl });
    expect(old.json.rules).toBe(hcl);
    expect(old.json.name).toBe('shape');
    const acl = await call(vault, 'GET', 'sys/policies/acl/shape', { token: root });
    expect(acl.json.data).toEqual({ name: 'shape', policy: hcl });
    expect(Object.keys(acl.json)).toEqual(ENVELOPE_KEYS);
    expect((await call(vault, 'GET', 'sys/policy/none', { token: root })).status).toBe(404);
    const empty = await call(vault, 'PUT', 'sys/policies/acl/e', { token: root, body: {} });
    expect(empty.json.errors).toEqual(["'policy' parameter not supplied or empty"]);
    // A base64-encoded policy is decoded before parsing.
    const b64 = Buffer.from(hcl).toString('base64');
    expect(
      (await call(vault, 'PUT', 'sys/policies/acl/b64', { token: root, body: { policy: b64 } })).status,
    ).toBe(204);
    expect((await call(vault, 'GET', 'sys/policies/acl/b64', { token: root })).json.data.policy).toBe(hcl);
  });
});

describe('sys/seal and sys/unseal', () => {
  it('seals over HTTP (root), answers Vault is sealed, and unseals with the key', async () => {
    // http/sys_seal.go handleSysSeal / handleSysUnseal; vault/barrier.go ErrBarrierInvalidKey.
    const nonRoot = vault.createToken({ policies: [] });
    expect((await call(vault, 'PUT', 'sys/seal', { token: nonRoot })).status).toBe(403);
    expect((await call(vault, 'PUT', 'sys/seal', { token: root })).status).toBe(204);
    expect((await call(vault, 'GET', 'kv/data/x', { token: root })).json).toEqual({
      errors: ['Vault is sealed'],
    });
    const noKey = await call(vault, 'PUT', 'sys/unseal', { body: {} });
    expect(noKey.status).toBe(400);
    expect(noKey.json.errors).toEqual([
      "'key' must be specified in request body as JSON, or 'reset' set to true",
    ]);
    const badKey = await call(vault, 'PUT', 'sys/unseal', { body: { key: 'not base64!' } });
    expect(badKey.json.errors).toEqual(["'key' must be a valid hex or base64 string"]);
    const wrong = await call(vault, 'PUT', 'sys/unseal', {
      body: { key: Buffer.alloc(32).toString('base64') },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.errors).toEqual(['Unseal failed, invalid key']);
    const reset = await call(vault, 'PUT', 'sys/unseal', { body: { reset: true } });
    expect(reset.json).toMatchObject({ sealed: true, progress: 0, t: 1, n: 1 });
    const ok = await call(vault, 'PUT', 'sys/unseal', { body: { key: vault.unsealKey } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ sealed: false, type: 'shamir', t: 1, n: 1 });
    expect(ok.json.cluster_name).toMatch(/^vault-cluster-/);
    // The hex form of the key works too.
    await call(vault, 'PUT', 'sys/seal', { token: root });
    const hex = Buffer.from(vault.unsealKey, 'base64').toString('hex');
    expect((await call(vault, 'PUT', 'sys/unseal', { body: { key: hex } })).json.sealed).toBe(false);
    expect((await call(vault, 'GET', 'sys/unseal')).status).toBe(405);
  });
});

describe('unknown paths answer as Vault answers them', () => {
  it('an unmounted path is 404 no handler (root), an unknown sys path is 404 unsupported path', async () => {
    const r = await call(vault, 'GET', 'nomount/x', { token: root });
    expect(r.status).toBe(404);
    expect(r.json.errors).toEqual(['no handler for route "nomount/x". route entry not found.']);
    const sys = await call(vault, 'GET', 'sys/not-emulated', { token: root });
    expect(sys.status).toBe(404);
    expect(sys.json.errors).toEqual(['1 error occurred:\n\t* unsupported path\n\n']);
  });
});
