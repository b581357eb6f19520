import { Module, type DynamicModule } from '@nestjs/common';
import { VAULT_SECRET_MANAGER } from './constants';
import { loadedConfigModule } from './config-module';
import { createManager } from './create-manager';
import {
  VAULT_MODULE_ASYNC_OPTIONS_TYPE,
  VAULT_MODULE_OPTIONS,
  VAULT_MODULE_OPTIONS_TYPE,
  VaultConfigurableModule,
} from './module-definition';
import type { VaultModuleOptions } from './options';
import { VaultSecrets } from './vault-secrets.service';

@Module({})
/**
 * Built on `ConfigurableModuleBuilder` (options token, `isGlobal`, `useFactory | useClass |
 * useExisting`); `forRoot` returns a promise, which Nest accepts in `imports`, so it does not extend
 * the generated class (whose `forRoot` is typed as synchronous).
 */
export class VaultConfigModule {
  /**
   * Starts loading as soon as it is called and resolves once the secrets are in place. Nest awaits
   * the imports while it scans modules, before it creates any provider, so every provider factory
   * (e.g. `TypeOrmModule.forRootAsync({ inject: [ConfigService] })`) sees the Vault values,
   * whatever the order of `imports`. Rejects with the core's typed error.
   */
  static forRoot(options: typeof VAULT_MODULE_OPTIONS_TYPE = {}): Promise<DynamicModule> {
    const base = { ...VaultConfigurableModule.forRoot(options), module: VaultConfigModule };
    const manager = createManager(options);
    const loading = manager.initialize();
    // The rejection is delivered through the returned promise; never as an unhandled one.
    loading.catch(() => undefined);
    return loading.then(async () => {
      const config = options.configModule ? [await loadedConfigModule(options.configModule)] : [];
      return {
        ...base,
        imports: [...(base.imports ?? []), ...config],
        providers: [
          ...(base.providers ?? []),
          { provide: VAULT_SECRET_MANAGER, useValue: manager },
          VaultSecrets,
        ],
        exports: [VAULT_SECRET_MANAGER, VaultSecrets, ...config],
      };
    });
  }

  /**
   * Options from a factory with injected dependencies. Loading happens while Nest creates providers:
   * a provider that needs the secrets must depend on `VaultSecrets` (or `VAULT_SECRET_MANAGER`).
   */
  static forRootAsync(options: typeof VAULT_MODULE_ASYNC_OPTIONS_TYPE): DynamicModule {
    const base = { ...VaultConfigurableModule.forRootAsync(options), module: VaultConfigModule };
    return {
      ...base,
      providers: [
        ...(base.providers ?? []),
        {
          provide: VAULT_SECRET_MANAGER,
          inject: [VAULT_MODULE_OPTIONS],
          useFactory: async (resolved: VaultModuleOptions) => {
            const manager = createManager(resolved ?? {});
            await manager.initialize();
            return manager;
          },
        },
        VaultSecrets,
      ],
      exports: [VAULT_SECRET_MANAGER, VaultSecrets],
    };
  }
}
