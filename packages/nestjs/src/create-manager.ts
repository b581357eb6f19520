import { Logger } from '@nestjs/common';
import { VaultSecretManager, isVaultError } from '@vault-config/core';
import type { VaultRootOptions } from './options';

/** The core manager with Nest's logger; bootstrap rejects with the error, so it is reported once. */
export function createManager(options: VaultRootOptions): VaultSecretManager {
  const {
    configModule: _configModule,
    isGlobal: _isGlobal,
    failOnError: _failOnError,
    ...vaultOptions
  } = options;
  return new VaultSecretManager({
    logger: new Logger('VaultConfig'),
    ...vaultOptions,
    // Bootstrap rejects with the error and the app reports it once; started anyway, we log it.
    logStartupFailure: options.failOnError === false,
  });
}

/**
 * Loads, or with `failOnError: false` starts anyway: a Vault error is logged by the manager and
 * loading goes on in the background. Rejects only when the app must not start.
 */
export async function initializeOrStartAnyway(
  manager: VaultSecretManager,
  options: VaultRootOptions,
): Promise<void> {
  try {
    await manager.initialize();
  } catch (error) {
    if (options.failOnError !== false || !isVaultError(error)) throw error;
    manager.initializeInBackground();
  }
}
