import { Controller, Get, Inject, ServiceUnavailableException, type Type } from '@nestjs/common';
import { isReady, type VaultStatus } from '@vault-config/core';
import { VAULT_SECRET_MANAGER } from '../constants';
import type { VaultSecretSource } from '../secret-source';

/**
 * A readiness controller for apps without `@nestjs/terminus`: `GET /{path}` answers the cached
 * status object (or `{ state }` with VAULT_HEALTH_BODY=minimal), 200 for ready/degraded/disabled
 * and 503 otherwise. It never calls Vault.
 */
export function createVaultHealthController(path = 'health'): Type<unknown> {
  @Controller(path)
  class VaultHealthController {
    constructor(@Inject(VAULT_SECRET_MANAGER) private readonly manager: VaultSecretSource) {}

    @Get()
    check(): VaultStatus | Pick<VaultStatus, 'state'> {
      // One status read per probe: both body forms carry the state that decides the code.
      const body = this.manager.getHealthBody();
      // The exception's object is the response body, on Express and Fastify alike.
      if (!isReady(body)) throw new ServiceUnavailableException(body);
      return body;
    }
  }
  return VaultHealthController;
}

/** `GET /health` serving the Vault status; `createVaultHealthController(path)` for another path. */
export const VaultHealthController = createVaultHealthController();
