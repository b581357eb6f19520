import type { VaultOptions } from '@vault-config/core';

/**
 * Options of `VaultConfigModule`: every core option (each also read from its environment variable),
 * plus `configModule`: options for `ConfigModule.forRoot()` that VaultConfigModule applies only
 * after the secrets are loaded, so a `validate` or `validationSchema` sees the Vault values.
 */
export interface VaultModuleOptions extends VaultOptions {
  configModule?: Record<string, unknown>;
}
