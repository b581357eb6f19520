/**
 * The reference service's start-up, written with node-vault as it does it: initialized check,
 * sealed check, kubernetes login, token lookup, then each path read one after another.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../packages/core/package.json', import.meta.url));
const nodeVault = require('node-vault');

export async function referenceLoad({ address, role, mount, tokenPath, kvMount = 'kv', paths, env }) {
  const vault = nodeVault({ endpoint: address, apiVersion: 'v1' });
  const init = await vault.initialized();
  if (!init.initialized) throw new Error('Vault is not initialized');
  const seal = await vault.status();
  if (seal.sealed) throw new Error('Vault is sealed');
  const jwt = readFileSync(tokenPath, 'utf8').trim();
  const login = await vault.kubernetesLogin({ role, jwt, mount_point: mount });
  vault.token = login.auth.client_token;
  await vault.tokenLookupSelf();
  for (const path of paths) {
    const res = await vault.read(`${kvMount}/data/${path}`);
    for (const [k, v] of Object.entries(res.data.data)) env[k] = String(v);
  }
}

/** The reference retry policy: 3 attempts, fixed delay. */
export async function withFixedRetries(fn, { attempts = 3, delayMs = 5000 } = {}) {
  let last;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (error) {
      last = error;
      if (i < attempts - 1) await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  throw last;
}
