/**
 * One isolated "world" per fault row: its own dev server (faults are server-wide, so rows never share
 * one), a token file, and the environment a pod would get. Every secret-ish value is a unique canary
 * so the leak checks can look for it anywhere.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVaultDevServer, type VaultDevServer } from '@vault-config/testing';

export const AUTH_MOUNT = 'kubernetes-dev-myapp';
export const ROLE = 'dev-myapp';
export const NS = 'myapp';
export const PATH = 'ACME/DEV/MYAPP';

export type Env = Record<string, string | undefined>;

/** Unique per process, so a value found in output can only have come from this run. */
const run = randomBytes(4).toString('hex');
export const CANARY = {
  dbPassword: `CANARY-db-${run}`,
  apiKey: `CANARY-api-${run}`,
  rootToken: `hvs.CANARYroot${run}`,
  /** The service account name lives only inside the JWT. */
  serviceAccount: `canary-sa-${run}`,
};

export interface World {
  server: VaultDevServer;
  dir: string;
  /** A valid service-account token file for the bound account. */
  tokenPath: string;
  /** The JWT in that file. */
  jwt: string;
  /** Kubernetes-auth environment that loads PATH successfully. */
  env: Env;
  /** Every credential and secret value this world handed out (for leak checks). */
  secrets(): string[];
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const server = await startVaultDevServer({ rootToken: CANARY.rootToken });
  server.writePolicy(
    'myapp-dev-read',
    'path "kv/data/ACME/*" { capabilities = ["read"] }\npath "kv1/*" { capabilities = ["read"] }',
  );
  server.enableKubernetesAuth(AUTH_MOUNT);
  server.writeKubernetesRole(AUTH_MOUNT, ROLE, {
    bound_service_account_names: [CANARY.serviceAccount],
    bound_service_account_namespaces: [NS],
    token_policies: ['myapp-dev-read'],
    token_ttl: 3600,
  });
  server.writeSecret('kv', PATH, {
    DATABASE_URL: `postgres://app:${CANARY.dbPassword}@db:5432/app`,
    API_KEY: CANARY.apiKey,
    PORT: '8080',
  });
  const dir = mkdtempSync(join(tmpdir(), 'vault-faults-'));
  const tokenPath = join(dir, 'token');
  server.writeServiceAccountTokenFile(tokenPath, { namespace: NS, serviceAccount: CANARY.serviceAccount });
  const jwt = readFileSync(tokenPath, 'utf8').trim();
  return {
    server,
    dir,
    tokenPath,
    jwt,
    env: {
      VAULT_ADDR: server.address,
      VAULT_ROLE: ROLE,
      VAULT_K8S_AUTH_MOUNT_POINT: AUTH_MOUNT,
      VAULT_PATH: PATH,
      VAULT_K8S_TOKEN_PATH: tokenPath,
      VAULT_TIMEOUT: '2',
      VAULT_MAX_RETRIES: '2',
      VAULT_RETRY_DELAY: '0.05',
      VAULT_STARTUP_TIMEOUT: '8',
    },
    secrets: () => [...Object.values(CANARY), jwt],
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
