/** A dev server seeded with the deployment naming convention, a token file, and the matching plugin options. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeedFile, startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import type { VaultOptions } from '@vault-config/core';

const SEED = fileURLToPath(new URL('../../packages/testing/seed.example.json', import.meta.url));

export interface Fixture {
  vault: VaultDevServer;
  tokenPath: string;
  env: Record<string, string | undefined>;
  /** The kubernetes-auth options for the seeded role and path; `extra` (e.g. adapter options) wins. */
  options<T extends object = object>(extra?: T): VaultOptions & T;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const vault = await startVaultDevServer({ seed: loadSeedFile(SEED) });
  const dir = mkdtempSync(join(tmpdir(), 'vault-fastify-'));
  const tokenPath = vault.writeServiceAccountTokenFile(join(dir, 'token'), {
    namespace: 'myapp',
    serviceAccount: 'vault-auth-dev-myapp',
  });
  const env: Record<string, string | undefined> = {};
  return {
    vault,
    tokenPath,
    env,
    options: <T extends object = object>(extra: T = {} as T): VaultOptions & T => ({
      env,
      address: vault.address,
      role: 'dev-myapp',
      k8sAuthMountPoint: 'kubernetes-dev-myapp',
      path: 'ACME/DEV/MYAPP',
      tokenPath,
      retryDelay: 0.01,
      maxRetries: 1,
      ...extra,
    }),
    async close() {
      await vault.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
