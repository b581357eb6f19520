import { Logger } from '@nestjs/common';
import { VaultSecretManager } from '@vault-config/core';
import type { VaultRootOptions } from './options';

/** The core manager with Nest's logger; bootstrap rejects with the error, so it is reported once. */
export function createManager(options: VaultRootOptions): VaultSecretManager {
  const { configModule: _configModule, isGlobal: _isGlobal, ...vaultOptions } = options;
  return new VaultSecretManager({
    logger: new Logger('VaultConfig'),
    ...vaultOptions,
    logStartupFailure: false,
  });
}
