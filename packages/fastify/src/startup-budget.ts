import type { EnvRecord, VaultOptions } from '@vault-config/core';

/** Room left for Fastify's own work after our start-up budget inside `pluginTimeout`. */
const MARGIN_MS = 500;

/**
 * Fastify aborts a plugin that takes longer than `pluginTimeout` (10 s by default) with a vague
 * ERR_AVVIO_PLUGIN_TIMEOUT. Unless the user chose a start-up budget, fit ours inside it so a slow
 * Vault ends in our typed error instead. Returns the seconds to use, or undefined to keep theirs.
 */
export function fittedStartupTimeout(options: VaultOptions, pluginTimeoutMs: number): number | undefined {
  const env: EnvRecord = options.env ?? process.env;
  const chosen = options.startupTimeout !== undefined || (env.VAULT_STARTUP_TIMEOUT ?? '').trim() !== '';
  if (chosen || !pluginTimeoutMs || pluginTimeoutMs <= MARGIN_MS) return undefined;
  return (pluginTimeoutMs - MARGIN_MS) / 1000;
}

/** A warning when the user's budget cannot fit; undefined when it does. */
export function budgetWarning(startupTimeoutSeconds: number, pluginTimeoutMs: number): string | undefined {
  if (!pluginTimeoutMs || startupTimeoutSeconds * 1000 < pluginTimeoutMs) return undefined;
  return (
    `VAULT_STARTUP_TIMEOUT (${startupTimeoutSeconds} s) is not shorter than Fastify's pluginTimeout ` +
    `(${pluginTimeoutMs} ms): a slow Vault ends in ERR_AVVIO_PLUGIN_TIMEOUT instead of a typed error. ` +
    `Raise it with Fastify({ pluginTimeout: ${Math.ceil(startupTimeoutSeconds * 1000 + MARGIN_MS)} }) ` +
    `or lower VAULT_STARTUP_TIMEOUT.`
  );
}
