/** Shared set-up for the core's integration tests: a seeded dev server and a token file. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';
import type { VaultLogger } from '../../src/types';
import type { VaultOptions } from '../../src/options';

export const NS = 'myns';
export const SA = 'vault-auth-dev-myapp';
export const AUTH_MOUNT = 'kubernetes-dev-myapp';
export const ROLE = 'dev-myapp';
export const PATH = 'ACME/DEV/MYAPP';
export const COMMON = 'ACME/COMMON';

/** Values that must never show up in an error message or a log line. */
export const CANARY = {
  DATABASE_URL: 'postgres://app:CANARY-db-pass-7f3a@db:5432/app',
  API_KEY: 'CANARY-api-key-91c2',
};

export interface Harness {
  server: VaultDevServer;
  dir: string;
  tokenPath: string;
  /** The JWT currently in the token file. */
  jwt: string;
  logs: string[];
  logger: VaultLogger;
  options(extra?: VaultOptions): VaultOptions;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const server = await startVaultDevServer({});
  server.writePolicy(
    'myapp-dev-read',
    'path "kv/data/ACME/*" { capabilities = ["read"] }\npath "kv1/*" { capabilities = ["read"] }',
  );
  server.enableKubernetesAuth(AUTH_MOUNT);
  server.writeKubernetesRole(AUTH_MOUNT, ROLE, {
    bound_service_account_names: [SA],
    bound_service_account_namespaces: [NS],
    token_policies: ['myapp-dev-read'],
    token_ttl: 3600,
  });
  server.writeSecret('kv', PATH, { ...CANARY, PORT: 8080, DEBUG: false, FEATURES: { a: [1] }, EMPTY: null });
  server.writeSecret('kv', COMMON, { LOG_LEVEL: 'info', PORT: 3000 });
  const dir = mkdtempSync(join(tmpdir(), 'vault-core-'));
  const tokenPath = join(dir, 'token');
  server.writeServiceAccountTokenFile(tokenPath, { namespace: NS, serviceAccount: SA });
  const logs: string[] = [];
  const push = (m: string) => void logs.push(m);
  const logger: VaultLogger = { info: push, warn: push, error: push, debug: push };
  return {
    server,
    dir,
    tokenPath,
    get jwt() {
      return readFileSync(tokenPath, 'utf8').trim();
    },
    logs,
    logger,
    options: (extra = {}) => ({
      env: {},
      address: server.address,
      role: ROLE,
      k8sAuthMountPoint: AUTH_MOUNT,
      path: PATH,
      tokenPath,
      retryDelay: 0.01,
      logger,
      // These suites count start-up requests exactly; revoke-after-load is covered in lifecycle tests.
      revokeToken: false,
      ...extra,
    }),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Vault-shaped tokens the dev server may hand out, plus JWTs. */
export const CREDENTIAL_SHAPE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}|\bhv[sbr]\.[A-Za-z0-9_-]{10,}/;

/** Asserts no canary, JWT or token appears in `texts`. */
export function assertNoSecrets(texts: string[], extra: string[] = []): void {
  const all = texts.join('\n');
  for (const value of [...Object.values(CANARY), ...extra]) {
    if (all.includes(value)) throw new Error(`secret leaked: ${value.slice(0, 12)}…`);
  }
  if (CREDENTIAL_SHAPE.test(all)) throw new Error('a JWT- or token-shaped string leaked');
}

/**
 * The dev server's database engine with role `app` (TTLs in seconds; 0 = Vault's system default),
 * and a policy that may read its credentials and renew and revoke their leases.
 */
export function allowDatabase(server: VaultDevServer, defaultTtl: number, maxTtl: number): void {
  server.configureDatabaseRole('app', { default_ttl: defaultTtl, max_ttl: maxTtl });
  server.writePolicy(
    'myapp-dev-read',
    [
      'path "kv/data/ACME/*" { capabilities = ["read"] }',
      'path "database/creds/app" { capabilities = ["read"] }',
      'path "sys/leases/renew" { capabilities = ["update"] }',
      'path "sys/leases/revoke" { capabilities = ["update"] }',
    ].join('\n'),
  );
}
