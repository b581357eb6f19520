/**
 * `app.pg`: a pool that follows rotated credentials, for apps that register `vaultPlugin` first.
 * Ended in `onClose`, before the manager revokes the leases.
 */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
// The `app.vault` declaration this plugin reads.
import type {} from '@vault-config/fastify';
import { createVaultPgPool, type VaultPgPool } from '../vault-pg-pool';
import type { VaultPgPoolOptions } from '../options';

export type VaultPgPluginOptions = VaultPgPoolOptions;

declare module 'fastify' {
  interface FastifyInstance {
    /** The live pool: query, connect, events — always with the current credentials. */
    pg: VaultPgPool;
  }
}

const vaultPgPluginCallback: FastifyPluginAsync<VaultPgPluginOptions> = async (app, options) => {
  const pool = createVaultPgPool(app.vault.manager, { logger: app.log, ...options });
  app.decorate('pg', pool);
  app.addHook('onClose', async () => pool.end());
};

/**
 * Decorates `app.pg` with a pool that follows rotated Vault database credentials. Register it after
 * `vaultPlugin` (fastify-plugin checks the dependency at registration).
 */
export const vaultPgPlugin = fp(vaultPgPluginCallback, {
  name: '@vault-config/pg',
  fastify: '5.x',
  dependencies: ['@vault-config/fastify'],
});

export type { VaultPgPool } from '../vault-pg-pool';
