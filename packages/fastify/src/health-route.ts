import { isReady, type VaultSecretManager } from '@vault-config/core';
import type { FastifyInstance } from 'fastify';

export function healthPath(option: boolean | string | undefined): string | undefined {
  if (option === true) return '/health';
  if (typeof option === 'string') return option.startsWith('/') ? option : `/${option}`;
  return undefined;
}

/**
 * Serves the cached status (or `{ state }` with VAULT_HEALTH_BODY=minimal), the same body the Nest
 * indicator reports; a health request never calls Vault. The body is the manager's JSON text,
 * serialized once per status change, so a probe costs what a route sending a fixed string costs.
 */
export function registerHealthRoute(
  fastify: FastifyInstance,
  path: string,
  manager: VaultSecretManager,
): void {
  fastify.get(path, (_request, reply) => {
    reply
      .code(isReady(manager.getStatus()) ? 200 : 503)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(manager.getHealthJson());
  });
}
