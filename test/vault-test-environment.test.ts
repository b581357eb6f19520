/**
 * startVaultTestEnvironment: one call gives an environment the core loads from as a pod would
 * (kubernetes auth with a minted service-account token), and close() leaves nothing behind.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VaultSecretManager } from '@vault-config/core';
import { startVaultTestEnvironment } from '@vault-config/testing';

describe('startVaultTestEnvironment', () => {
  it('serves the secrets through kubernetes auth with the naming convention', async () => {
    const vault = await startVaultTestEnvironment({
      secrets: { DATABASE_URL: 'postgres://u:p@db/app', API_KEY: 'k' },
      app: 'billing',
      environment: 'qa',
    });
    try {
      expect(vault.env).toMatchObject({
        VAULT_ADDR: vault.server.address,
        VAULT_ROLE: 'qa-billing',
        VAULT_PATH: 'ACME/QA/BILLING',
        VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-qa-billing',
        VAULT_K8S_TOKEN_PATH: vault.tokenPath,
      });
      // A JWT for system:serviceaccount:billing:vault-auth-qa-billing.
      const payload = readFileSync(vault.tokenPath, 'utf8').split('.')[1] ?? '';
      expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toMatchObject({
        sub: 'system:serviceaccount:billing:vault-auth-qa-billing',
      });
      const env: Record<string, string | undefined> = { ...vault.env };
      const manager = new VaultSecretManager({ env, logger: false, required: ['DATABASE_URL'] });
      await manager.initialize();
      expect(manager.getStatus()).toMatchObject({ state: 'ready', auth_method: 'kubernetes', keys: 2 });
      expect(env.DATABASE_URL).toBe('postgres://u:p@db/app');
      await manager.close();
      // vault: permission-denied
      // Only that role's policy: another path is denied with 403, as Vault denies any path no policy
      // grants (docs: /docs/concepts/policies, "empty policy grants no permission").
      const other = new VaultSecretManager({
        env: { ...vault.env, VAULT_PATH: 'ACME/QA/OTHER' },
        logger: false,
      });
      await expect(other.initialize()).rejects.toMatchObject({ code: 'VAULT_ACCESS_DENIED' });
      await other.close();
    } finally {
      await vault.close();
    }
    expect(existsSync(vault.tokenPath)).toBe(false);
    await expect(fetch(`${vault.env.VAULT_ADDR}/v1/sys/health`)).rejects.toThrow();
  });
});
