/**
 * The framework glue against the dev server and a real PostgreSQL: the pool is injectable / decorated,
 * serves queries as the Vault-issued role, and on shutdown is ended before the manager revokes the
 * lease, so no connection is cut off under it.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Fastify from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultPlugin } from '@vault-config/fastify';
import { VaultConfigModule, VAULT_SECRET_MANAGER } from '@vault-config/nestjs';
import type { VaultSecretManager } from '@vault-config/core';
import { vaultPgPlugin } from '../src/fastify';
import { InjectVaultPgPool, VAULT_PG_POOL, VaultPgModule } from '../src/nestjs';
import type { RetiredEvent, VaultPgPool } from '../src';
import { skipWithoutPostgres } from '../../../test/support/postgres';
import { startWorld, type World } from './support/world';

const KEYS = { user: 'DB_USER', password: 'DB_PASSWORD' };

/** Records shutdown order: the pool's last drain, then the manager's close (status$ completes). */
function shutdownOrder(pool: VaultPgPool, manager: VaultSecretManager): string[] {
  const order: string[] = [];
  pool.on('retired', (e: RetiredEvent) => order.push(`pool generation ${e.generation} ended`));
  manager.status$.subscribe({ complete: () => order.push('manager closed') });
  return order;
}

async function roleExists(world: World, role: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: world.db.url });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    return rows.length === 1;
  } finally {
    await admin.end();
  }
}

describe.skipIf(skipWithoutPostgres())('framework glue', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  }, 60_000);
  afterAll(async () => world?.close(), 30_000);

  it('fastify: app.pg queries as the Vault role; onClose ends the pool before the manager revokes', async () => {
    const app = Fastify({ logger: false });
    await app.register(vaultPlugin, world.options());
    await app.register(vaultPgPlugin, { keys: KEYS, pool: world.poolConfig });
    app.get('/whoami', async () => (await app.pg.query('SELECT current_user AS user')).rows[0]);
    await app.ready();
    const role = app.vault.get('DB_USER') as string;
    const res = await app.inject('/whoami');
    expect(res.json()).toEqual({ user: role });
    const order = shutdownOrder(app.pg, app.vault.manager);
    const errors: unknown[] = [];
    app.pg.on('error', (e) => errors.push(e));
    await app.close();
    expect(order).toEqual(['pool generation 0 ended', 'manager closed']);
    expect(errors).toEqual([]);
    expect(app.pg.totalCount).toBe(0);
    expect(await roleExists(world, role)).toBe(false);
  });

  it('fastify: refuses to register without vaultPlugin', async () => {
    const app = Fastify({ logger: false });
    const registering = (async () => {
      await app.register(vaultPgPlugin, { keys: KEYS, pool: world.poolConfig });
      await app.ready();
    })();
    await expect(registering).rejects.toThrow(
      /dependency '@vault-config\/fastify' of plugin '@vault-config\/pg'/,
    );
  });

  it.each([
    ['VaultConfigModule first', false],
    ['VaultPgModule first', true],
  ])(
    'nest (%s): the pool is injected; onModuleDestroy ends it before the manager revokes',
    async (_, pgFirst) => {
      @Controller()
      class WhoAmI {
        constructor(@InjectVaultPgPool() readonly db: VaultPgPool) {}
        @Get('whoami')
        async whoami() {
          return (await this.db.query('SELECT current_user AS user')).rows[0];
        }
      }
      @Module({
        imports: ((modules) => (pgFirst ? modules.reverse() : modules))([
          VaultConfigModule.forRoot(world.options({ logger: false } as object)),
          VaultPgModule.forRoot({ keys: KEYS, pool: world.poolConfig }),
        ]),
        controllers: [WhoAmI],
      })
      class AppModule {}
      const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
      await app.init();
      const pool = app.get<VaultPgPool>(VAULT_PG_POOL);
      const manager = app.get<VaultSecretManager>(VAULT_SECRET_MANAGER);
      const role = manager.get('DB_USER') as string;
      expect(await app.get(WhoAmI).whoami()).toEqual({ user: role });
      const order = shutdownOrder(pool, manager);
      await app.close();
      expect(order).toEqual(['pool generation 0 ended', 'manager closed']);
      expect(pool.totalCount).toBe(0);
      expect(await roleExists(world, role)).toBe(false);
    },
  );
});
