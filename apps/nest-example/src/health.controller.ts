import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { VaultHealthIndicator } from '@vault-config/nestjs/health';

/** Readiness: 200 while Vault's state is ready/degraded/disabled, 503 otherwise. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(VaultHealthIndicator) private readonly vault: VaultHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.vault.isHealthy('vault')]);
  }
}
