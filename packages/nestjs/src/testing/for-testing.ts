import type { DynamicModule, Type } from '@nestjs/common';
import { VAULT_SECRET_MANAGER } from '../constants';
import { VAULT_MODULE_OPTIONS } from '../module-definition';
import { VaultSecrets } from '../vault-secrets.service';
import { StaticSecretManager } from './static-secret-manager';

/** Options of `VaultConfigModule.forTesting()`. */
export interface VaultTestingOptions {
  /** The values `VaultSecrets.get()` returns. */
  secrets: Record<string, string>;
  /**
   * Also write the secrets into `process.env` (from this call until `app.close()`), for code that
   * reads them through ConfigService or the environment, as with `forRoot`. @default false
   */
  inject?: boolean;
  /** Register the module globally, as `forRoot` does. @default true */
  isGlobal?: boolean;
}

/** The module's providers over fixed secrets: what unit tests import instead of `forRoot`. */
export function testingModule(options: VaultTestingOptions, moduleClass: Type): DynamicModule {
  const manager = new StaticSecretManager(options.secrets, options.inject ? process.env : undefined);
  return {
    module: moduleClass,
    global: options.isGlobal ?? true,
    providers: [
      { provide: VAULT_MODULE_OPTIONS, useValue: {} },
      { provide: VAULT_SECRET_MANAGER, useValue: manager },
      VaultSecrets,
    ],
    exports: [VAULT_SECRET_MANAGER, VaultSecrets, VAULT_MODULE_OPTIONS],
  };
}
