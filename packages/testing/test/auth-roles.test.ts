/**
 * Auth method configuration and role reads: vault-plugin-auth-kubernetes path_config.go
 * (pathConfigWrite/Read) and path_role.go (pathRoleRead, validation messages); AppRole
 * path_role.go pathRoleRead; sdk/helper/tokenutil PopulateTokenData for the token_* defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { call } from './helpers';

let vault: VaultDevServer;
let root: string;
beforeAll(async () => {
  vault = await startVaultDevServer();
  root = vault.rootToken;
  await call(vault, 'POST', 'sys/auth/k8s', { token: root, body: { type: 'kubernetes' } });
  await call(vault, 'POST', 'sys/auth/ar', { token: root, body: { type: 'approle' } });
});
afterAll(() => vault.close());

describe('kubernetes auth config', () => {
  it('requires kubernetes_host (400 no host provided)', async () => {
    const r = await call(vault, 'POST', 'auth/k8s/config', { token: root, body: { issuer: 'x' } });
    expect(r.status).toBe(400);
    expect(r.json.errors).toEqual(['no host provided']);
  });

  it('reads back the stored fields, never the reviewer JWT (only token_reviewer_jwt_set)', async () => {
    expect((await call(vault, 'GET', 'auth/k8s/config', { token: root })).status).toBe(404);
    const w = await call(vault, 'POST', 'auth/k8s/config', {
      token: root,
      body: { kubernetes_host: 'https://10.0.0.1:443', token_reviewer_jwt: 'eyJhbGciOi.reviewer.jwt' },
    });
    expect(w.status).toBe(204);
    const r = await call(vault, 'GET', 'auth/k8s/config', { token: root });
    expect(r.json.data).toEqual({
      kubernetes_host: 'https://10.0.0.1:443',
      kubernetes_ca_cert: '',
      pem_keys: [],
      issuer: '',
      disable_iss_validation: true,
      disable_local_ca_jwt: false,
      token_reviewer_jwt_set: true,
      use_annotations_as_alias_metadata: false,
    });
    expect(r.text).not.toContain('reviewer.jwt');
  });

  it('rejects a CA cert with no PEM certificate', async () => {
    const r = await call(vault, 'POST', 'auth/k8s/config', {
      token: root,
      body: { kubernetes_host: 'https://h', kubernetes_ca_cert: 'not a pem' },
    });
    expect(r.json.errors).toEqual(['The provided CA PEM data contains no valid certificates']);
  });
});

describe('kubernetes roles', () => {
  it('a read returns every field, defaults included', async () => {
    const w = await call(vault, 'POST', 'auth/k8s/role/app', {
      token: root,
      body: {
        bound_service_account_names: 'sa',
        bound_service_account_namespaces: ['ns'],
        token_policies: 'p1,p2',
        token_ttl: '1h',
      },
    });
    expect(w.status).toBe(204);
    const r = await call(vault, 'GET', 'auth/k8s/role/app', { token: root });
    expect(r.json.data).toEqual({
      bound_service_account_names: ['sa'],
      bound_service_account_namespaces: ['ns'],
      bound_service_account_namespace_selector: '',
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['p1', 'p2'],
      token_ttl: 3600,
      token_type: 'default',
      alias_name_source: 'serviceaccount_uid',
    });
  });

  it('the deprecated names come back only when the role was written with them', async () => {
    await call(vault, 'POST', 'auth/k8s/role/old', {
      token: root,
      body: {
        bound_service_account_names: ['sa'],
        bound_service_account_namespaces: ['ns'],
        policies: ['p'],
        ttl: 60,
      },
    });
    const r = await call(vault, 'GET', 'auth/k8s/role/old', { token: root });
    expect(r.json.data).toMatchObject({ policies: ['p'], token_policies: ['p'], ttl: 60, token_ttl: 60 });
    expect(r.json.data).not.toHaveProperty('max_ttl');
  });

  it('validation messages as path_role.go words them', async () => {
    const noNs = await call(vault, 'POST', 'auth/k8s/role/bad', {
      token: root,
      body: { bound_service_account_names: ['sa'] },
    });
    expect(noNs.json.errors).toEqual([
      '"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set',
    ]);
    const mix = await call(vault, 'POST', 'auth/k8s/role/bad', {
      token: root,
      body: { bound_service_account_names: ['*', 'sa'], bound_service_account_namespaces: ['ns'] },
    });
    expect(mix.json.errors).toEqual(['can not mix "*" with values']);
    const ttl = await call(vault, 'POST', 'auth/k8s/role/bad', {
      token: root,
      body: {
        bound_service_account_names: ['sa'],
        bound_service_account_namespaces: ['ns'],
        token_ttl: 100,
        token_max_ttl: 10,
      },
    });
    expect(ttl.json.errors).toEqual(["'token_ttl' cannot be greater than 'token_max_ttl'"]);
  });

  it('LIST role lists the names', async () => {
    const r = await call(vault, 'LIST', 'auth/k8s/role', { token: root });
    expect(r.json.data.keys).toEqual(['app', 'old']);
  });
});

describe('AppRole roles', () => {
  it('a read returns every field, defaults included', async () => {
    expect(
      (await call(vault, 'POST', 'auth/ar/role/r', { token: root, body: { token_policies: ['p'] } })).status,
    ).toBe(204);
    const r = await call(vault, 'GET', 'auth/ar/role/r', { token: root });
    expect(r.json.data).toEqual({
      bind_secret_id: true,
      local_secret_ids: false,
      secret_id_bound_cidrs: [],
      secret_id_num_uses: 0,
      secret_id_ttl: 0,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['p'],
      token_ttl: 0,
      token_type: 'default',
    });
  });

  it('LIST role; bind_secret_id=false needs another constraint', async () => {
    expect((await call(vault, 'LIST', 'auth/ar/role', { token: root })).json.data.keys).toEqual(['r']);
    const bad = await call(vault, 'POST', 'auth/ar/role/open', {
      token: root,
      body: { bind_secret_id: false },
    });
    expect(bad.json.errors).toEqual(['at least one constraint should be enabled on the role']);
  });
});
