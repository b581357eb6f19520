import Fastify, { type FastifyInstance } from 'fastify';
import { vaultPlugin } from '@vault-config/fastify';
import { databaseConfigPlugin } from './database-config';
import { databasePoolPlugin } from './database-pool';

/** Builds the app; `ready()` resolves once Vault secrets are loaded, or rejects with a VaultError. */
export async function buildApp(): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } });
  await app.register(vaultPlugin, { healthRoute: true, required: ['DATABASE_URL'] });
  await app.register(databaseConfigPlugin);
  await app.register(databasePoolPlugin);
  // Non-secret facts only: shows that a plugin registered after vaultPlugin saw the secret.
  app.get('/info', async () => {
    const { host, port, database } = app.databaseConfig;
    return { database: { host, port, database }, vault: { keys: app.vault.getStatus().keys } };
  });
  return app;
}
