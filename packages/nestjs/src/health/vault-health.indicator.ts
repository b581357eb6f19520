import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { isReady, type VaultStatus } from '@vault-config/core';
import { VAULT_SECRET_MANAGER } from '../constants';
import type { VaultSecretSource } from '../secret-source';

/**
 * Terminus indicator over the cached status: up for ready/degraded/disabled, down otherwise, with the
 * status object as details. Never calls Vault and never throws.
 */
@Injectable()
export class VaultHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(VAULT_SECRET_MANAGER) private readonly manager: VaultSecretSource,
  ) {}

  isHealthy<const Key extends string = 'vault'>(key: Key = 'vault' as Key): HealthIndicatorResult<Key> {
    const status = this.manager.getStatus();
    const indicator = this.health.check(key);
    // The same body as the Fastify route: the status, or `{ state }` with VAULT_HEALTH_BODY=minimal.
    const body = { ...this.manager.getHealthBody() };
    return isReady(status) ? indicator.up(body) : indicator.down(body);
  }

  getStatus(): VaultStatus {
    return this.manager.getStatus();
  }

  get_status(): VaultStatus {
    return this.manager.getStatus();
  }
}
