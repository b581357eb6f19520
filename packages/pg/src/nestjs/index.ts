/**
 * Nest glue: `VaultPgModule.forRoot({ keys, pool })` provides the live pool under `VAULT_PG_POOL`
 * (inject it with `@InjectVaultPgPool()`); the pool is ended in `onModuleDestroy`. Needs
 * `VaultConfigModule` (global by default) for the manager.
 */
import { Inject, Logger, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import type { VaultSecretManager } from '@vault-config/core';
import { VAULT_SECRET_MANAGER } from '@vault-config/nestjs';
import { createVaultPgPool, type VaultPgPool } from '../vault-pg-pool';
import type { VaultPgPoolOptions } from '../options';

/** Injection token of the live pool. */
export const VAULT_PG_POOL = Symbol.for('@vault-config/pg.VAULT_PG_POOL');

/** `constructor(@InjectVaultPgPool() private readonly db: VaultPgPool)`. */
export const InjectVaultPgPool = (): PropertyDecorator & ParameterDecorator => Inject(VAULT_PG_POOL);

export interface VaultPgModuleOptions extends VaultPgPoolOptions {
  /** Make the pool injectable everywhere without importing this module. Default false. */
  isGlobal?: boolean;
}

@Module({})
export class VaultPgModule implements OnModuleDestroy {
  constructor(@Inject(VAULT_PG_POOL) private readonly pool: VaultPgPool) {}

  static forRoot(options: VaultPgModuleOptions): DynamicModule {
    const { isGlobal = false, ...poolOptions } = options;
    return {
      module: VaultPgModule,
      global: isGlobal,
      providers: [
        {
          provide: VAULT_PG_POOL,
          inject: [VAULT_SECRET_MANAGER],
          useFactory: (manager: VaultSecretManager) =>
            createVaultPgPool(manager, { logger: new Logger('VaultPgPool'), ...poolOptions }),
        },
      ],
      exports: [VAULT_PG_POOL],
    };
  }

  /** Ends the pool once its checked-out clients are back, and gives back the leases it kept. */
  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}

export type { VaultPgPool } from '../vault-pg-pool';
