import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { vaultPgPlugin } from '@vault-config/pg/fastify';

/**
 * With dynamic credentials (VAULT_DYNAMIC mapping to DB_USER / DB_PASSWORD), `app.pg` is a `pg` pool
 * that follows every rotation: it checks a pool with the new role, swaps, lets the old pool's
 * queries finish, and only then lets the old lease (and its role) be revoked.
 * Host, port and database come from the standard PGHOST / PGPORT / PGDATABASE variables.
 */
export const databasePoolPlugin: FastifyPluginAsync = fp(
  async (app) => {
    if (!app.vault.get('DB_USER')) return;
    await app.register(vaultPgPlugin, {
      keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
      pool: { max: 4 },
    });
    app.get('/db/now', async () => {
      const { rows } = await app.pg.query<{ now: Date; user: string }>(
        'SELECT now() AS now, current_user AS user',
      );
      return rows[0];
    });
  },
  { name: 'database-pool', dependencies: ['@vault-config/fastify'] },
);
