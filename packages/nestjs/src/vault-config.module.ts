import { Module, type DynamicModule } from '@nestjs/common';
import { asyncRoot } from './loading/async-root';
import { sharedRoot } from './loading/shared-root';
import type { VaultModuleAsyncOptions, VaultRootOptions } from './options';
import { testingModule, type VaultTestingOptions } from './testing/for-testing';

/** What a `forRoot` import resolves to once its secrets are loaded (nested in the outer module). */
@Module({})
export class VaultConfigLoadedModule {}

/**
 * Loads Vault secrets while Nest bootstraps. Every method returns what `imports` accepts; nothing
 * happens when the file that calls them is imported.
 */
@Module({})
export class VaultConfigModule {
  /**
   * Loads when Nest scans the module graph (`NestFactory.create`, `Test.createTestingModule().compile()`),
   * before it creates any provider: every provider factory sees the Vault values, whatever the order
   * of `imports`. Importing the file calls nothing. Equal options share one manager in a process;
   * after `app.close()` the next bootstrap loads afresh. Bootstrap rejects with the core's typed error.
   */
  static forRoot(options: VaultRootOptions = {}): Promise<DynamicModule> {
    return sharedRoot(options, { shell: VaultConfigModule, loaded: VaultConfigLoadedModule });
  }

  /**
   * Options from DI (`useFactory` + `inject`, `useClass`, `useExisting`); loads while Nest creates
   * providers. With `configModule`, ConfigService waits for the secrets; without it, a provider that
   * needs them must inject `VaultSecrets` (or `VAULT_SECRET_MANAGER`).
   */
  static forRootAsync(options: VaultModuleAsyncOptions): Promise<DynamicModule> {
    return asyncRoot(options, VaultConfigModule);
  }

  /** Fixed secrets and no Vault, for unit tests: `VaultSecrets` and the health surfaces work as usual. */
  static forTesting(options: VaultTestingOptions): DynamicModule {
    return testingModule(options, VaultConfigModule);
  }
}
