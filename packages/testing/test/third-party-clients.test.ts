/**
 * Third-party Vault clients used unmodified against the dev server, list calls included:
 * hashi-vault-js (axios; sends the LIST verb) and @litehex/node-vault (fetch; sends LIST, and checks
 * every response against zod schemas of Vault's documented bodies, so a shape Vault would not send
 * fails here). The answers asserted are the ones Vault's API docs give for each endpoint
 * (developer.hashicorp.com/vault/api-docs: secret/kv/kv-v2, system/mounts, system/seal-status,
 * system/health, auth/kubernetes, auth/approle, auth/token).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import HashiVault from 'hashi-vault-js';
import { Client as LitehexClient } from '@litehex/node-vault';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';

let vault: VaultDevServer;
beforeAll(async () => {
  vault = await startVaultDevServer();
  vault.writeSecret('kv', 'ACME/DEV/MYAPP', { DATABASE_URL: 'postgres://db', API_KEY: 'k' });
  vault.writeSecret('kv', 'ACME/DEV/OTHER', { A: '1' });
  vault.writeSecret('kv', 'ACME/PROD/MYAPP', { A: '2' });
  vault.enableKubernetesAuth('kubernetes');
  vault.writeKubernetesRole('kubernetes', 'dev-myapp', {
    bound_service_account_names: ['vault-auth'],
    bound_service_account_namespaces: ['myapp'],
    token_policies: ['myapp-read'],
  });
  vault.writePolicy(
    'myapp-read',
    'path "kv/data/ACME/DEV/*" { capabilities = ["read"] }\npath "kv/metadata/ACME/*" { capabilities = ["list"] }',
  );
  vault.enableAppRole('approle');
});
afterAll(() => vault.close());

/** hashi-vault-js declares its results as `Object`; the tests read Vault's fields from them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe('hashi-vault-js', () => {
  const client = (): Loose =>
    new HashiVault({ baseUrl: `${vault.address}/v1`, rootPath: 'kv', timeout: 5000 });

  it('health and seal status', async () => {
    const health = await client().healthCheck();
    expect(health).toMatchObject({ initialized: true, sealed: false, standby: false });
    const seal = await client().sealStatus();
    expect(seal).toMatchObject({ sealed: false, t: 1, n: 1 });
  });

  it('KV v2: read, create, update with cas, metadata, and the LIST call', async () => {
    const c = client();
    const read = await c.readKVSecret(vault.rootToken, 'ACME/DEV/MYAPP');
    expect(read.data).toEqual({ DATABASE_URL: 'postgres://db', API_KEY: 'k' });
    expect(read.metadata.version).toBe(1);
    const created = await c.createKVSecret(vault.rootToken, 'ACME/DEV/NEW', { X: '1' });
    expect(created.version).toBe(1);
    const updated = await c.updateKVSecret(vault.rootToken, 'ACME/DEV/NEW', { X: '2' }, 1);
    expect(updated.version).toBe(2);
    const list = await c.listKVSecrets(vault.rootToken, 'ACME/DEV');
    expect(list.keys).toEqual(['MYAPP', 'NEW', 'OTHER']);
    const top = await c.listKVSecrets(vault.rootToken);
    expect(top.keys).toEqual(['ACME/']);
    const meta = await c.readKVSecretMeta(vault.rootToken, 'ACME/DEV/NEW');
    expect(meta.current_version).toBe(2);
    const config = await c.readKVEngineConfig(vault.rootToken);
    expect(config).toEqual({ cas_required: false, delete_version_after: '0s', max_versions: 0 });
  });

  it('a 404 list is an error with the Vault status', async () => {
    await expect(client().listKVSecrets(vault.rootToken, 'NOPE')).rejects.toMatchObject({
      isVaultError: true,
      response: { status: 404 },
    });
  });

  it('kubernetes login, role read and LIST of roles', async () => {
    const c = client();
    const auth = await c.loginWithK8s(
      'dev-myapp',
      vault.mintServiceAccountJwt({ namespace: 'myapp', serviceAccount: 'vault-auth' }),
      'auth/kubernetes',
    );
    expect(auth.policies).toEqual(['default', 'myapp-read']);
    const role = await c.readK8sRole(vault.rootToken, 'dev-myapp', 'auth/kubernetes');
    expect(role).toMatchObject({
      token_type: 'default',
      alias_name_source: 'serviceaccount_uid',
      token_period: 0,
    });
    const roles = await c.listK8sRoles(vault.rootToken, 'auth/kubernetes');
    expect(roles.keys).toEqual(['dev-myapp']);
    // The logged-in token reads what its policy allows and lists with LIST.
    const secret = await c.readKVSecret(auth.client_token, 'ACME/DEV/OTHER');
    expect(secret.data).toEqual({ A: '1' });
    expect((await c.listKVSecrets(auth.client_token, 'ACME')).keys).toEqual(['DEV/', 'PROD/']);
    await expect(c.readKVSecret(auth.client_token, 'ACME/PROD/MYAPP')).rejects.toMatchObject({
      response: { status: 403 },
    });
  });

  it('AppRole: secret-id over the API, then login', async () => {
    const { roleId } = vault.writeAppRole('approle', 'app', { token_policies: ['myapp-read'] });
    const c = client();
    const generated = await c.generateAppRoleSecretId(vault.rootToken, 'app', undefined, 'auth/approle');
    expect(generated.secret_id).toMatch(/^[0-9a-f-]{36}$/);
    const auth = await c.loginWithAppRole(roleId, generated.secret_id, 'auth/approle');
    expect(auth.policies).toEqual(['default', 'myapp-read']);
    await expect(c.loginWithAppRole(roleId, 'wrong', 'auth/approle')).rejects.toMatchObject({
      response: { status: 400, data: { errors: ['invalid role or secret ID'] } },
    });
  });

  it('tokens: create, lookup-self, revoke', async () => {
    const c = client();
    const created = await c.createToken(vault.rootToken, { policies: ['default'], ttl: '10m' });
    const self = await c.lookupSelfToken(created.client_token);
    expect(self.policies).toEqual(['default']);
    await c.revokeToken(vault.rootToken, created.client_token);
    await expect(c.lookupSelfToken(created.client_token)).rejects.toMatchObject({
      response: { status: 403 },
    });
  });
});

describe('@litehex/node-vault', () => {
  const client = () => new LitehexClient({ endpoint: vault.address, token: vault.rootToken });
  const ok = <T>(r: { data?: T; error?: unknown }): T => {
    if (r.error) throw r.error;
    return r.data as T;
  };

  it('health, seal status, mounts, engine info and tune (schemas validated by the client)', async () => {
    const c = client();
    expect(ok(await c.health())).toMatchObject({ initialized: true, sealed: false });
    expect(ok(await c.sealStatus())).toMatchObject({ sealed: false, type: 'shamir' });
    const mounts = ok(await c.mounts()) as { data: Record<string, { type: string }> };
    expect(Object.keys(mounts.data)).toEqual(
      expect.arrayContaining(['kv/', 'sys/', 'cubbyhole/', 'identity/']),
    );
    const info = ok(await c.engineInfo({ mountPath: 'kv' })) as { data: { type: string } };
    expect(info.data.type).toBe('kv');
    expect(ok(await c.tune({ mountPath: 'kv' }))).toMatchObject({
      default_lease_ttl: 2764800,
      force_no_cache: false,
    });
  });

  it('KV v2: read, write, patch, subkeys, metadata, config, and list', async () => {
    const kv2 = client().kv2;
    const read = ok(await kv2.read({ mountPath: 'kv', path: 'ACME/DEV/MYAPP' }));
    expect(read.data.data.DATABASE_URL).toBe('postgres://db');
    const written = ok(await kv2.write({ mountPath: 'kv', path: 'ACME/DEV/LX', data: { A: '1', B: '2' } }));
    expect((written as { data: { version: number } }).data.version).toBe(1);
    const patched = ok(
      await kv2.patch({ mountPath: 'kv', path: 'ACME/DEV/LX', data: { B: null, C: '3' } } as never),
    );
    expect((patched as { data: { version: number } }).data.version).toBe(2);
    const after = ok(await kv2.read({ mountPath: 'kv', path: 'ACME/DEV/LX' }));
    expect(after.data.data).toEqual({ A: '1', C: '3' });
    const sub = ok(await kv2.subKeys({ mountPath: 'kv', path: 'ACME/DEV/LX' })) as {
      data: { subkeys: unknown };
    };
    expect(sub.data.subkeys).toEqual({ A: null, C: null });
    const list = ok(await kv2.list({ mountPath: 'kv', path: 'ACME/DEV' }));
    expect(list.data.keys).toEqual(expect.arrayContaining(['LX', 'MYAPP', 'OTHER']));
    const meta = ok(await kv2.readMetadata({ mountPath: 'kv', path: 'ACME/DEV/LX' })) as {
      data: { current_version: number };
    };
    expect(meta.data.current_version).toBe(2);
    ok(await kv2.config({ mountPath: 'kv', max_versions: 7 }));
    const cfg = ok(await kv2.readConfig({ mountPath: 'kv' })) as { data: { max_versions: number } };
    expect(cfg.data.max_versions).toBe(7);
  });

  it('the generic LIST command and a 404 list', async () => {
    const c = client();
    const keys = ok(await c.list({ path: 'kv/metadata/ACME' })) as { data: { keys: string[] } };
    expect(keys.data.keys).toEqual(['DEV/', 'PROD/']);
    const missing = await c.list({ path: 'kv/metadata/NOPE' });
    expect(missing.error).toBeDefined();
  });

  it('seal and unseal over the API', async () => {
    const c = client();
    ok(await c.seal());
    expect(ok(await c.sealStatus())).toMatchObject({ sealed: true });
    const unsealed = ok(await c.unseal({ key: vault.unsealKey } as never));
    expect(unsealed).toMatchObject({ sealed: false });
  });
});
