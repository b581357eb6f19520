import { isReady, type VaultSecretManager } from '@vault-config/core';
import type { FastifyInstance } from 'fastify';

export function healthPath(option: boolean | string | undefined): string | undefined {
  if (option === true) return '/health';
  if (typeof option === 'string') return option.startsWith('/') ? option : `/${option}`;
  return undefined;
}

/**
 * Serves the cached status (or `{ state }` with VAULT_HEALTH_BODY=minimal), the same body the Nest
 * indicator reports; a health request never calls Vault.
 */
export function registerHealthRoute(
  fastify: FastifyInstance,
  path: string,
  manager: VaultSecretManager,
): void {
  fastify.get(path, async (_request, reply) => {
    const status = manager.getStatus();
    reply.code(isReady(status) ? 200 : 503).header('cache-control', 'no-store');
    return manager.getHealthBody();
  });
}
