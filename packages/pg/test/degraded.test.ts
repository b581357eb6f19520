/**
 * A failed pool check through the real manager: new roles from the dev server cannot connect (CONNECT
 * revoked in PostgreSQL), so the pool keeps the old one and the app shows `degraded` — still ready —
 * with a VaultPoolError; once new roles can connect again, the retry swaps and the state is `ready`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultPlugin } from '@vault-config/fastify';
import { vaultPgPlugin } from '../src/fastify';
import { skipWithoutPostgres } from '../../../test/support/postgres';
import { startWorld, type World } from './support/world';

const until = async (check: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.skipIf(skipWithoutPostgres())('a failed pool check', () => {
  let world: World;
  let admin: pg.Pool;
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    // A rotation about every 4.5 s (see test/pool-rotation.e2e.test.ts).
    world = await startWorld({ default_ttl: 4, max_ttl: 6 });
    admin = new pg.Pool({ connectionString: world.db.url, max: 1 });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await admin?.query('GRANT CONNECT ON DATABASE postgres TO PUBLIC').catch(() => undefined);
    await admin?.end();
    await world?.close();
  }, 30_000);

  it('shows degraded with VAULT_POOL_CHECK_FAILED while new roles cannot log in, then recovers', async () => {
    app = Fastify({ logger: false });
    await app.register(vaultPlugin, world.options({ healthRoute: true } as object));
    await app.register(vaultPgPlugin, {
      keys: { user: 'DB_USER', password: 'DB_PASSWORD' },
      pool: world.poolConfig,
      retryDelayMs: 500,
    });
    await app.ready();
    const first = app.vault.get('DB_USER') as string;
    await app.pg.query('SELECT 1');
    await admin.query('REVOKE CONNECT ON DATABASE postgres FROM PUBLIC');
    await admin.query(`GRANT CONNECT ON DATABASE postgres TO "${first}"`);

    await until(() => app!.vault.getStatus().state === 'degraded', 10_000, 'degraded');
    const second = app.vault.get('DB_USER') as string;
    const password = app.vault.get('DB_PASSWORD') as string;
    expect(second).not.toBe(first);
    const status = app.vault.getStatus();
    expect(status.last_error).toMatchObject({ name: 'VaultPoolError', code: 'VAULT_POOL_CHECK_FAILED' });
    expect(status.last_error?.message).toMatch(
      /database\/creds\/app \(DB_USER, DB_PASSWORD\) failed the pool check \(SQLSTATE 42501\)/,
    );
    expect(JSON.stringify(status)).not.toContain(second);
    expect(JSON.stringify(status)).not.toContain(password);
    // Degraded is ready: the health route still answers 200.
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ state: 'degraded' });
    expect(app.pg.generation).toBe(0);

    await admin.query('GRANT CONNECT ON DATABASE postgres TO PUBLIC');
    await until(() => app!.vault.getStatus().state === 'ready', 10_000, 'ready again');
    expect(app.pg.generation).toBeGreaterThan(0);
    const { rows } = await app.pg.query<{ u: string }>('SELECT current_user AS u');
    expect(rows[0]?.u).toBe(app.vault.get('DB_USER'));
    await app.close();
    app = undefined;
  }, 40_000);
});
