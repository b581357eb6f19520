import type { DynamicModule } from '@nestjs/common';

/**
 * `ConfigModule.forRoot()` from the optional peer `@nestjs/config`, called only after the secrets are
 * loaded: its `validate` runs inside `forRoot`, so this is what lets it see Vault's keys.
 */
export async function loadedConfigModule(options: Record<string, unknown>): Promise<DynamicModule> {
  let config: { ConfigModule: { forRoot(o: Record<string, unknown>): Promise<DynamicModule> } };
  try {
    config = await import('@nestjs/config');
  } catch {
    throw new Error(
      'VaultConfigModule option "configModule" needs @nestjs/config: npm install @nestjs/config',
    );
  }
  return config.ConfigModule.forRoot(options);
}
