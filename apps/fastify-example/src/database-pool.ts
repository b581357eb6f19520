import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import pg from 'pg';

export interface DatabasePool {
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: DatabasePool;
  }
}

/**
 * With dynamic credentials (VAULT_DYNAMIC mapping to DB_USER / DB_PASSWORD), a `pg` pool that swaps
 * itself on every rotation: new queries go to a pool with the new role at once, and the old pool is
 * ended once its in-flight queries finish; the old lease (and its role) is retained until then.
 * Host, port and database come from the standard PGHOST / PGPORT / PGDATABASE variables.
 */
export const databasePoolPlugin: FastifyPluginAsync = fp(
  async (app) => {
    if (!app.vault.get('DB_USER')) return;
    const open = (user: string, password: string) => {
      const created = new pg.Pool({ user, password, max: 4 });
      // An idle client whose session the server ended (its role dropped) must not crash the app.
      created.on('error', (error) => app.log.warn(`database pool: idle client error (${error.message})`));
      return created;
    };
    let pool = open(app.vault.get('DB_USER') as string, app.vault.get('DB_PASSWORD') ?? '');
    const subscription = app.vault.rotations$.subscribe((rotation) => {
      const old = pool;
      // Keep the old lease (and its database role) alive until the old pool has drained.
      const release = rotation.retain();
      pool = open(rotation.values.DB_USER ?? '', rotation.values.DB_PASSWORD ?? '');
      app.log.info(`database pool swapped to new credentials (${rotation.path})`);
      old.end().then(release, release);
    });
    app.decorate('db', { query: (text, values) => pool.query(text, values) });
    app.get('/db/now', async () => {
      const { rows } = await pool.query<{ now: Date; user: string }>(
        'SELECT now() AS now, current_user AS user',
      );
      return rows[0];
    });
    app.addHook('onClose', async () => {
      subscription.unsubscribe();
      await pool.end();
    });
  },
  { name: 'database-pool', dependencies: ['@vault-config/fastify'] },
);
