/** A dev server with N KV paths readable by the example kubernetes role, and a token file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVaultDevServer } from '@vault-config/testing';

export const ROLE = 'dev-myapp';
export const AUTH_MOUNT = 'kubernetes-dev-myapp';

export async function benchVault({ paths = 1, keysPerPath = 5, valueBytes = 32 } = {}) {
  const server = await startVaultDevServer();
  server.writePolicy('myapp-dev-read', 'path "kv/data/ACME/*" { capabilities = ["read"] }');
  server.enableKubernetesAuth(AUTH_MOUNT);
  server.writeKubernetesRole(AUTH_MOUNT, ROLE, {
    bound_service_account_names: ['vault-auth-dev-myapp'],
    bound_service_account_namespaces: ['myapp'],
    token_policies: ['myapp-dev-read'],
    token_ttl: 3600,
  });
  const list = [];
  for (let p = 0; p < paths; p++) {
    const path = `ACME/DEV/P${p}`;
    const data = {};
    for (let k = 0; k < keysPerPath; k++) data[`KEY_${p}_${k}`] = 'x'.repeat(valueBytes);
    server.writeSecret('kv', path, data);
    list.push(path);
  }
  const dir = mkdtempSync(join(tmpdir(), 'vault-bench-'));
  const tokenPath = server.writeServiceAccountTokenFile(join(dir, 'token'), {
    namespace: 'myapp',
    serviceAccount: 'vault-auth-dev-myapp',
  });
  return { server, paths: list, tokenPath, dir };
}
