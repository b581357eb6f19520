import type { FactoryProvider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';

/** What the app needs to reach its database, built at start-up from the Vault secret DATABASE_URL. */
export interface DatabaseConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  /** The full URL, password included: kept in memory, never logged or served. */
  connectionString: string;
}

export const DATABASE_CONFIG = Symbol('DATABASE_CONFIG');

/**
 * The `TypeOrmModule.forRootAsync({ inject: [ConfigService], useFactory })` pattern: a factory that
 * reads ConfigService sees the Vault values, because VaultConfigModule.forRoot loads them before Nest
 * creates any provider.
 */
export const databaseConfigProvider: FactoryProvider<DatabaseConfig> = {
  provide: DATABASE_CONFIG,
  inject: [ConfigService],
  useFactory: (config: ConfigService): DatabaseConfig => {
    const url = config.getOrThrow<string>('DATABASE_URL');
    const parsed = new URL(url);
    return {
      host: parsed.hostname,
      port: Number(parsed.port || 5432),
      database: parsed.pathname.replace(/^\//, ''),
      user: decodeURIComponent(parsed.username),
      connectionString: url,
    };
  },
};
