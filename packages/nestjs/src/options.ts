import type { VaultOptions } from '@vault-config/core';
import type { VAULT_MODULE_ASYNC_OPTIONS_TYPE } from './module-definition';

/**
 * Options of `VaultConfigModule`: every core option (each also read from its environment variable),
 * plus `configModule`: options for `ConfigModule.forRoot()` that VaultConfigModule applies only
 * after the secrets are loaded, so a `validate` or `validationSchema` sees the Vault values.
 */
export interface VaultModuleOptions extends VaultOptions {
  configModule?: Record<string, unknown>;
  /**
   * Reject bootstrap when loading fails. With `false` the app starts anyway: the failure is logged,
   * the state is `failed` (health 503), and loading is retried in the background until it succeeds;
   * then the state is `ready` and `VaultSecrets.changes$` announces the keys (reason `load`).
   * Providers built meanwhile do not see the secrets: read them when needed (`VaultSecrets.get`).
   * A configuration error is not retried. @default true
   */
  failOnError?: boolean;
}

/** `forRoot`'s options: the module's, plus where it is visible. */
export interface VaultRootOptions extends VaultModuleOptions {
  /** Register the module globally. @default true */
  isGlobal?: boolean;
}

/** `forRootAsync`'s options: `useFactory`/`inject`/`imports`, `useClass` or `useExisting`. */
export type VaultModuleAsyncOptions = typeof VAULT_MODULE_ASYNC_OPTIONS_TYPE & {
  /**
   * Options for `ConfigModule.forRoot()`, which this module then registers with a `load` entry fed
   * by Vault: ConfigService waits for it, so a factory that injects only ConfigService sees the
   * secrets. The options factory must not inject ConfigService then (that would be a cycle).
   */
  configModule?: Record<string, unknown>;
};
