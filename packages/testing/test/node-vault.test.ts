import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodeVault from 'node-vault';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';

// node-vault is a client written for real Vault, used unmodified: if it works here, the shapes match.
let vault: VaultDevServer;
beforeAll(async () => {
  vault = await startVaultDevServer();
  vault.enableKv('legacy', 1);
  vault.writeSecret('kv', 'ACME/DEV/MYAPP', { DATABASE_URL: 'postgres://x' });
  vault.writeSecret('legacy', 'ACME/DEV/MYAPP', { API_KEY: 'k' });
  vault.writePolicy(
    'myapp-dev-read',
    `path "kv/data/ACME/DEV/MYAPP" { capabilities = ["read"] }
path "legacy/ACME/DEV/MYAPP" { capabilities = ["read"] }
path "database/creds/app" { capabilities = ["read"] }`,
  );
  vault.enableKubernetesAuth('kubernetes-dev-myapp');
  vault.writeKubernetesRole('kubernetes-dev-myapp', 'dev-myapp', {
    bound_service_account_names: ['vault-auth-dev-myapp'],
    bound_service_account_namespaces: ['myapp'],
    token_policies: ['myapp-dev-read'],
  });
  vault.configureDatabaseRole('app', { default_ttl: 300, max_ttl: 600 });
});
afterAll(() => vault.close());

const client = (token?: string) =>
  nodeVault({ endpoint: vault.address, apiVersion: 'v1', ...(token ? { token } : {}) });

describe('node-vault against the dev server', () => {
  it('health', async () => {
    const health = await client().health();
    expect(health).toMatchObject({ initialized: true, sealed: false });
  });

  it('kubernetesLogin, then read KV v2 and KV v1, lookup-self, renew-self, database creds and lease renew', async () => {
    const vc = client();
    const jwt = vault.mintServiceAccountJwt({ namespace: 'myapp', serviceAccount: 'vault-auth-dev-myapp' });
    const login = await vc.kubernetesLogin({ role: 'dev-myapp', jwt, mount_point: 'kubernetes-dev-myapp' });
    expect(login.auth.policies).toEqual(['default', 'myapp-dev-read']);
    expect(vc.token).toBe(login.auth.client_token);

    const v2 = await vc.read('kv/data/ACME/DEV/MYAPP');
    expect(v2.data.data).toEqual({ DATABASE_URL: 'postgres://x' });
    const v1 = await vc.read('legacy/ACME/DEV/MYAPP');
    expect(v1.data).toEqual({ API_KEY: 'k' });

    const self = await vc.tokenLookupSelf();
    expect(self.data.policies).toEqual(['default', 'myapp-dev-read']);
    const renewed = await vc.tokenRenewSelf({ increment: '10m' });
    expect(renewed.auth.lease_duration).toBe(600);

    const creds = await vc.read('database/creds/app');
    expect(creds.data.username).toMatch(/^v-/);
    const lease = await vc.write('sys/leases/renew', { lease_id: creds.lease_id, increment: 120 });
    expect(lease).toMatchObject({ lease_id: creds.lease_id, lease_duration: 120, renewable: true });
  });

  it('surfaces Vault errors the way it does for real Vault', async () => {
    const vc = client();
    await expect(
      vc.kubernetesLogin({ role: 'nope', jwt: 'x', mount_point: 'kubernetes-dev-myapp' }),
    ).rejects.toMatchObject({
      response: { statusCode: 400 },
      message: 'invalid role name "nope"',
    });
    const denied = client(vault.createToken({ policies: [] }));
    await expect(denied.read('kv/data/ACME/DEV/MYAPP')).rejects.toMatchObject({
      response: { statusCode: 403 },
    });
    await expect(client(vault.rootToken).read('kv/data/none')).rejects.toMatchObject({
      response: { statusCode: 404 },
    });
  });
});
