import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/** What the app needs to reach its database, built from the Vault secret at start-up. */
export interface DatabaseConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  /** The full URL, password included: kept in memory, never logged or served. */
  connectionString: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    databaseConfig: DatabaseConfig;
  }
}

/** Registered after vaultPlugin, so DATABASE_URL is already loaded. */
export const databaseConfigPlugin: FastifyPluginAsync = fp(
  async (app) => {
    const url = app.vault.get('DATABASE_URL') ?? process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: add it to the Vault path or the environment');
    const parsed = new URL(url);
    app.decorate('databaseConfig', {
      host: parsed.hostname,
      port: Number(parsed.port || 5432),
      database: parsed.pathname.replace(/^\//, ''),
      user: decodeURIComponent(parsed.username),
      connectionString: url,
    });
  },
  { name: 'database-config', dependencies: ['@vault-config/fastify'] },
);
