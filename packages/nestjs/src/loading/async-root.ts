import type { DynamicModule, Type } from '@nestjs/common';
import { VaultConfigurationError } from '@vault-config/core';
import { loadedConfigModule } from '../config-module';
import { VAULT_SECRET_MANAGER } from '../constants';
import { createManager, initializeOrStartAnyway } from '../create-manager';
import { VAULT_MODULE_OPTIONS, VaultConfigurableModule } from '../module-definition';
import type { VaultModuleAsyncOptions, VaultModuleOptions } from '../options';
import { VaultSecrets } from '../vault-secrets.service';
import { LazyPromise } from './lazy-promise';
import { Renewable } from './renewable';
import { SecretsHandoff } from './secrets-handoff';

let asyncRoots = 0;

/** A ConfigService among the options factory's dependencies makes `configModule` a cycle. */
function assertNoConfigServiceCycle(options: VaultModuleAsyncOptions): void {
  const injectsConfigService = (options.inject ?? []).some(
    (token) => typeof token === 'function' && token.name === 'ConfigService',
  );
  if (options.configModule && injectsConfigService) {
    throw new VaultConfigurationError(
      'VAULT_CONFIG_INVALID',
      'VaultConfigModule.forRootAsync: "configModule" makes ConfigService wait for Vault, so the options ' +
        'factory cannot inject ConfigService. Either drop "configModule" and inject VaultSecrets next to ' +
        'ConfigService where the secrets are needed, or build the options without ConfigService.',
      { setting: 'configModule' },
    );
  }
}

/**
 * `forRootAsync`: the manager is a provider whose options come from DI, so it loads while Nest
 * creates providers. With `configModule`, ConfigModule gets a `load` function fed by that manager;
 * ConfigService depends on its `load` providers, so every ConfigService consumer waits for Vault.
 */
export function asyncRoot(options: VaultModuleAsyncOptions, moduleClass: Type): Promise<DynamicModule> {
  const { configModule, ...asyncOptions } = options;
  const base = VaultConfigurableModule.forRootAsync(asyncOptions);
  const generation: Renewable<DynamicModule> = new Renewable(async () => {
    assertNoConfigServiceCycle(options);
    const handoff = new SecretsHandoff();
    const config = configModule
      ? [
          await loadedConfigModule({
            ...configModule,
            load: [...((configModule.load as unknown[] | undefined) ?? []), () => handoff.secrets()],
          }),
        ]
      : [];
    return {
      module: moduleClass,
      global: base.global,
      imports: [...(base.imports ?? []), ...config],
      providers: [
        ...(base.providers ?? []),
        {
          provide: VAULT_SECRET_MANAGER,
          inject: [VAULT_MODULE_OPTIONS],
          useFactory: async (resolved: VaultModuleOptions | undefined) => {
            // This bootstrap has its handoff; the next one builds its own.
            generation.reset();
            handoff.start();
            const manager = createManager(resolved ?? {});
            try {
              await initializeOrStartAnyway(manager, resolved ?? {});
              handoff.resolve(manager.getAll());
              return manager;
            } catch (error) {
              handoff.reject(error);
              await manager.close();
              throw error;
            }
          },
        },
        VaultSecrets,
      ],
      exports: [VAULT_SECRET_MANAGER, VaultSecrets, VAULT_MODULE_OPTIONS, ...config],
    };
  });
  asyncRoots += 1;
  return new LazyPromise(() => generation.current(), `vault-config-async:${asyncRoots}`);
}
