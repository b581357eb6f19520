import {
  VaultConfigurationError,
  VaultSecretManager,
  isVaultError,
  type VaultLogger,
} from '@vault-config/core';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { createVaultDecorator } from './decorator';
import { healthPath, registerHealthRoute } from './health-route';
import { budgetWarning, fittedStartupTimeout } from './startup-budget';
import type { VaultPluginOptions } from './types';

const vaultPluginCallback: FastifyPluginAsync<VaultPluginOptions> = async (fastify, opts) => {
  if (fastify.hasDecorator('vault')) {
    throw new VaultConfigurationError(
      'VAULT_CONFIG_INVALID',
      'vaultPlugin is already registered on this Fastify instance (app.vault exists): register it once, at the root',
      { setting: 'vaultPlugin' },
    );
  }
  const { healthRoute, failOnError = true, ...vaultOptions } = opts;
  const pluginTimeout = fastify.initialConfig.pluginTimeout ?? 10_000;
  const fitted = fittedStartupTimeout(vaultOptions, pluginTimeout);
  const logger: VaultLogger = fastify.log;
  const manager = new VaultSecretManager({
    logger,
    ...vaultOptions,
    ...(fitted !== undefined ? { startupTimeout: fitted } : {}),
    // We reject ready()/listen() with the error; the app reports it once.
    logStartupFailure: !failOnError,
  });

  // Undefined for a bad option, which initialize() below reports with the setting it names.
  const chosenMs = fitted === undefined ? manager.startupTimeoutMs : undefined;
  if (chosenMs !== undefined) {
    const warning = budgetWarning(chosenMs / 1000, pluginTimeout);
    if (warning) fastify.log.warn(warning);
  }

  fastify.decorate('vault', createVaultDecorator(manager));
  fastify.addHook('onClose', async () => manager.close());
  const path = healthPath(healthRoute);
  if (path) registerHealthRoute(fastify, path, manager);

  try {
    await manager.initialize();
  } catch (error) {
    if (failOnError || !isVaultError(error)) {
      await manager.close();
      throw error;
    }
    // Start anyway: readiness stays down while the manager keeps loading in the background.
    manager.initializeInBackground();
  }
};

/** Loads Vault secrets before `ready()`/`listen()` resolve and decorates `app.vault`. */
export const vaultPlugin = fp(vaultPluginCallback, {
  name: '@vault-config/fastify',
  fastify: '5.x',
});
