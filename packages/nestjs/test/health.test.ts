/** VaultHealthIndicator through real states, and the module under both HTTP platforms. */
import 'reflect-metadata';
import { Controller, Get, Inject, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultSecretManager } from '@vault-config/core';
import { VAULT_SECRET_MANAGER, VaultConfigModule, type VaultModuleOptions } from '../src';
import { VaultHealthIndicator } from '../src/health';
import { startFixture, type Fixture } from '../../../test/support/dev-fixture';

async function indicatorFor(manager: VaultSecretManager): Promise<VaultHealthIndicator> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      HealthIndicatorService,
      VaultHealthIndicator,
      { provide: VAULT_SECRET_MANAGER, useValue: manager },
    ],
  }).compile();
  return moduleRef.get(VaultHealthIndicator);
}

describe('VaultHealthIndicator', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => fx.close());

  it('is up with the status as details when ready, and calls Vault no more', async () => {
    const manager = new VaultSecretManager(fx.options({ logger: false }));
    await manager.initialize();
    const indicator = await indicatorFor(manager);
    fx.vault.clearRequests();
    const result = indicator.isHealthy('vault');
    expect(result.vault).toMatchObject({ status: 'up', state: 'ready', secrets_loaded: true, keys: 3 });
    expect(indicator.get_status()).toEqual(indicator.getStatus());
    expect(fx.vault.requests).toHaveLength(0);
    await manager.close();
  });

  it('is up when Vault is disabled (no VAULT_ADDR)', async () => {
    const manager = new VaultSecretManager({ env: {}, logger: false });
    await manager.initialize();
    expect((await indicatorFor(manager)).isHealthy().vault).toMatchObject({
      status: 'up',
      state: 'disabled',
    });
  });

  it('is down, without throwing, when loading failed (sealed Vault)', async () => {
    fx.vault.seal();
    const manager = new VaultSecretManager(fx.options({ logger: false }));
    await manager.initialize().catch(() => undefined);
    const result = (await indicatorFor(manager)).isHealthy('vault');
    expect(result.vault).toMatchObject({
      status: 'down',
      state: 'failed',
      last_error: { code: 'VAULT_SEALED' },
    });
  });
});

describe.each([
  ['express', () => undefined],
  ['fastify', () => new FastifyAdapter()],
])('the module on the %s platform', (_platform, adapter) => {
  let fx: Fixture;
  let app: INestApplication | undefined;
  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => {
    await app?.close();
    await fx.close();
  });

  it('serves /health 200 through terminus after loading', async () => {
    const options: VaultModuleOptions = fx.options({ logger: false });
    @Controller('health')
    class HealthController {
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
    @Module({
      imports: [TerminusModule, VaultConfigModule.forRoot(options)],
      controllers: [HealthController],
      providers: [VaultHealthIndicator],
    })
    class AppModule {}
    const platform = adapter();
    app = platform
      ? await NestFactory.create(AppModule, platform, { logger: false, abortOnError: false })
      : await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    const res = await fetch(`${await app.getUrl()}/health`.replace('[::1]', '127.0.0.1'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { details: { vault: Record<string, unknown> } };
    expect(body.details.vault).toMatchObject({ status: 'up', state: 'ready', vault_role: 'dev-myapp' });
    expect(options.env).toMatchObject({ DATABASE_URL: expect.stringMatching(/^postgres:/) });
  });
});
