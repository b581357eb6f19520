/**
 * Everything an app's e2e test needs from Vault in one call: a seeded dev server with kubernetes
 * auth, a minted service-account token file, and the environment contract pointing at both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVaultDevServer, type StartOptions } from './dev-server';
import type { SeedFile, VaultDevServer } from './types';

export interface VaultTestEnvironmentOptions {
  /** The secrets served at the KV path. Values are strings, as they will be in `process.env`. */
  secrets: Record<string, string>;
  /** The app name in the naming convention (`vault-auth-{env}-{app}`, `{env}-{app}`, …). @default 'myapp' */
  app?: string;
  /** The environment name in the naming convention. @default 'dev' */
  environment?: string;
  /** The first segment of the KV path `ORG/{ENV}/{APP}`. @default 'ACME' */
  org?: string;
  /** Dev-server options (port, root token, PostgreSQL URL). The seed is built from the above. */
  server?: Omit<StartOptions, 'seed'>;
}

/** The variables `@vault-config/core` reads, for a test to assign to `process.env`. */
export interface VaultTestEnv {
  VAULT_ADDR: string;
  VAULT_ROLE: string;
  VAULT_PATH: string;
  VAULT_K8S_AUTH_MOUNT_POINT: string;
  VAULT_K8S_TOKEN_PATH: string;
  [key: string]: string;
}

export interface VaultTestEnvironment {
  server: VaultDevServer;
  env: VaultTestEnv;
  tokenPath: string;
  /** Stops the server and deletes the token file. */
  close(): Promise<void>;
}

function seedFor(names: Names, secrets: Record<string, string>): SeedFile {
  return {
    mounts: { kv: { type: 'kv', version: 2 } },
    secrets: { kv: { [names.path]: { ...secrets } } },
    policies: { [names.policy]: `path "kv/data/${names.path}" {\n  capabilities = ["read"]\n}\n` },
    kubernetes: {
      [names.mount]: {
        roles: {
          [names.role]: {
            bound_service_account_names: [names.serviceAccount],
            bound_service_account_namespaces: [names.namespace],
            token_policies: [names.policy],
            token_ttl: 3600,
            token_max_ttl: 86400,
          },
        },
      },
    },
    serviceAccounts: [{ namespace: names.namespace, name: names.serviceAccount }],
  };
}

interface Names {
  path: string;
  policy: string;
  mount: string;
  role: string;
  serviceAccount: string;
  namespace: string;
}

/** The deployment naming convention: ServiceAccount, auth mount, role, KV path, policy. */
function namesFor(options: VaultTestEnvironmentOptions): Names {
  const app = options.app ?? 'myapp';
  const env = options.environment ?? 'dev';
  const org = options.org ?? 'ACME';
  return {
    path: `${org}/${env.toUpperCase()}/${app.toUpperCase()}`,
    policy: `${app}-${env}-read`,
    mount: `kubernetes-${env}-${app}`,
    role: `${env}-${app}`,
    serviceAccount: `vault-auth-${env}-${app}`,
    namespace: app,
  };
}

/**
 * Starts the dev server seeded with `secrets`, writes a service-account token file that its
 * kubernetes auth accepts, and returns the environment for the app under test.
 */
export async function startVaultTestEnvironment(
  options: VaultTestEnvironmentOptions,
): Promise<VaultTestEnvironment> {
  const names = namesFor(options);
  const server = await startVaultDevServer({ ...options.server, seed: seedFor(names, options.secrets) });
  const dir = mkdtempSync(join(tmpdir(), 'vault-test-env-'));
  try {
    const tokenPath = server.writeServiceAccountTokenFile(join(dir, 'token'), {
      namespace: names.namespace,
      serviceAccount: names.serviceAccount,
    });
    return {
      server,
      tokenPath,
      env: {
        VAULT_ADDR: server.address,
        VAULT_ROLE: names.role,
        VAULT_PATH: names.path,
        VAULT_K8S_AUTH_MOUNT_POINT: names.mount,
        VAULT_K8S_TOKEN_PATH: tokenPath,
      },
      async close() {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
