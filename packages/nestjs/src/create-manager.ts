import { Logger } from '@nestjs/common';
import { VaultSecretManager } from '@vault-config/core';
import type { VaultModuleOptions } from './options';

/** The core manager with Nest's logger; bootstrap rejects with the error, so it is reported once. */
export function createManager(options: VaultModuleOptions): VaultSecretManager {
  const { configModule: _configModule, ...vaultOptions } = options;
  return new VaultSecretManager({
    logger: new Logger('VaultConfig'),
    ...vaultOptions,
    logStartupFailure: false,
  });
}
