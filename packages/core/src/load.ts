/** The one-call form: construct and initialize; resolves to the ready manager. */
import { VaultSecretManager } from './manager';
import type { VaultOptions } from './options';

export async function loadVaultSecrets(options?: VaultOptions): Promise<VaultSecretManager> {
  const manager = new VaultSecretManager(options);
  await manager.initialize();
  return manager;
}
