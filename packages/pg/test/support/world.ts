/** A real PostgreSQL, the dev server issuing roles in it, a token file and the matching options. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { VaultOptions } from '@vault-config/core';
import { loadSeedFile, startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import { startTestPostgres, type TestPostgres } from '../../../../test/support/postgres';

const SEED = fileURLToPath(new URL('../../../testing/seed.example.json', import.meta.url));

export interface World {
  db: TestPostgres;
  vault: VaultDevServer;
  /** Host, port and database of the test cluster; user and password come from Vault. */
  poolConfig: Omit<pg.PoolConfig, 'user' | 'password'>;
  options(extra?: VaultOptions): VaultOptions;
  close(): Promise<void>;
}

export async function startWorld(ttl = { default_ttl: 60, max_ttl: 120 }): Promise<World> {
  const db = await startTestPostgres();
  const vault = await startVaultDevServer({ seed: loadSeedFile(SEED), databaseUrl: db.url });
  vault.configureDatabaseRole('app', ttl);
  vault.writePolicy(
    'myapp-dev-read',
    [
      'path "kv/data/ACME/DEV/MYAPP" { capabilities = ["read"] }',
      'path "database/creds/app" { capabilities = ["read"] }',
      'path "sys/leases/*" { capabilities = ["update"] }',
    ].join('\n'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'vault-pg-'));
  const tokenPath = vault.writeServiceAccountTokenFile(join(dir, 'token'), {
    namespace: 'myapp',
    serviceAccount: 'vault-auth-dev-myapp',
  });
  const url = new URL(db.url);
  return {
    db,
    vault,
    poolConfig: { host: url.hostname, port: Number(url.port), database: 'postgres', max: 4 },
    options: (extra = {}) => ({
      env: {},
      address: vault.address,
      role: 'dev-myapp',
      k8sAuthMountPoint: 'kubernetes-dev-myapp',
      path: 'ACME/DEV/MYAPP',
      tokenPath,
      dynamic: [{ path: 'database/creds/app', keys: { username: 'DB_USER', password: 'DB_PASSWORD' } }],
      ...extra,
    }),
    async close() {
      await vault.close();
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
