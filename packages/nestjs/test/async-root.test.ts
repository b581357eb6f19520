/**
 * forRootAsync and ConfigService, in real Nest apps. With `configModule`, ConfigService depends on a
 * `load` provider fed by the manager (see @nestjs/config's ConfigModule.forRoot: ConfigService's
 * provider injects every `load` token), so a factory injecting only ConfigService waits for Vault.
 * Without it, such a factory must inject VaultSecrets too.
 */
import 'reflect-metadata';
import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultConfigModule, VaultSecrets, type VaultModuleOptions } from '../src';
import { SecretsHandoff } from '../src/loading/secrets-handoff';
import { startFixture, type Fixture } from '../../../test/support/dev-fixture';

const OPTS = Symbol('OPTS');
const DB_URL = Symbol('DB_URL');

/** A module that hands Vault's options out through DI (e.g. a settings service). */
function optionsModule(options: VaultModuleOptions): DynamicModule {
  @Module({})
  class OptionsModule {}
  return { module: OptionsModule, providers: [{ provide: OPTS, useValue: options }], exports: [OPTS] };
}

async function boot(imports: (DynamicModule | Promise<DynamicModule>)[], providers: unknown[]) {
  @Module({ imports, providers: providers as never[] })
  class AppModule {}
  return NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
}

describe('VaultConfigModule.forRootAsync', () => {
  let fx: Fixture;
  let options: VaultModuleOptions;
  beforeEach(async () => {
    fx = await startFixture();
    delete process.env.DATABASE_URL;
    fx.vault.setLatency(100); // the load takes real time: whoever reads too early sees nothing
  });
  afterEach(async () => {
    delete process.env.DATABASE_URL;
    await fx.close();
  });

  it.each([
    ['injected into process.env (default)', true],
    ['with inject: false (ConfigService only)', false],
  ])('configModule: a factory injecting only ConfigService sees the Vault value, %s', async (_, inject) => {
    options = fx.options({ env: process.env, logger: false, inject });
    const app = await boot(
      [
        VaultConfigModule.forRootAsync({
          imports: [optionsModule(options)],
          inject: [OPTS],
          useFactory: (o: VaultModuleOptions) => o,
          configModule: { isGlobal: true, ignoreEnvFile: true },
        }),
      ],
      [
        {
          provide: DB_URL,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.get<string>('DATABASE_URL'),
        },
      ],
    );
    expect(app.get(DB_URL)).toMatch(/^postgres:\/\//);
    expect(app.get(DB_URL)).toBe(app.get(VaultSecrets).get('DATABASE_URL'));
    expect(process.env.DATABASE_URL !== undefined).toBe(inject);
    await app.close();
  });

  it('options from ConfigService: a factory injecting ConfigService and VaultSecrets sees the value', async () => {
    options = fx.options({ env: process.env, logger: false });
    const app = await boot(
      [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ vault: options })] }),
        VaultConfigModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.getOrThrow<VaultModuleOptions>('vault'),
        }),
      ],
      [
        {
          provide: DB_URL,
          inject: [ConfigService, VaultSecrets],
          useFactory: (config: ConfigService, _vault: VaultSecrets) => config.get<string>('DATABASE_URL'),
        },
      ],
    );
    expect(app.get(DB_URL)).toMatch(/^postgres:\/\//);
    await app.close();
  });

  it('the documented limit: without configModule, a ConfigService-only factory runs before the load', async () => {
    options = fx.options({ env: process.env, logger: false });
    const app = await boot(
      [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        VaultConfigModule.forRootAsync({
          imports: [optionsModule(options)],
          inject: [OPTS],
          useFactory: (o: VaultModuleOptions) => o,
        }),
      ],
      [
        {
          provide: DB_URL,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => config.get<string>('DATABASE_URL') ?? 'undefined',
        },
      ],
    );
    expect(app.get(DB_URL)).toBe('undefined');
    await app.close();
  });

  it('configModule with an options factory that injects ConfigService is refused with a clear error', async () => {
    const failing = boot(
      [
        VaultConfigModule.forRootAsync({
          inject: [ConfigService],
          useFactory: () => ({}),
          configModule: { isGlobal: true, ignoreEnvFile: true },
        }),
      ],
      [],
    );
    await expect(failing).rejects.toMatchObject({ code: 'VAULT_CONFIG_INVALID', setting: 'configModule' });
  });

  it('a failed load rejects bootstrap with the typed error; the next bootstrap tries again', async () => {
    options = fx.options({ env: process.env, logger: false });
    fx.vault.seal();
    const vault = VaultConfigModule.forRootAsync({
      imports: [optionsModule(options)],
      inject: [OPTS],
      useFactory: (o: VaultModuleOptions) => o,
      configModule: { isGlobal: true, ignoreEnvFile: true },
    });
    @Injectable()
    class NeedsConfig {
      constructor(@Inject(ConfigService) readonly config: ConfigService) {}
    }
    await expect(boot([vault], [NeedsConfig])).rejects.toMatchObject({ code: 'VAULT_SEALED' });
    fx.vault.unseal();
    const app = await boot([vault], [NeedsConfig]);
    expect(app.get(NeedsConfig).config.get('DATABASE_URL')).toMatch(/^postgres:\/\//);
    await app.close();
  });
});

describe('SecretsHandoff', () => {
  it('fails with a clear error when the manager factory never begins (a cycle through ConfigService)', async () => {
    const handoff = new SecretsHandoff();
    await expect(handoff.secrets(20)).rejects.toMatchObject({
      code: 'VAULT_CONFIG_INVALID',
      message: expect.stringMatching(/inject VaultSecrets/),
    });
  });

  it('hands over the secrets once the factory has begun, without the bound', async () => {
    const handoff = new SecretsHandoff();
    const secrets = handoff.secrets(20);
    handoff.start();
    await new Promise((resolve) => setTimeout(resolve, 40));
    handoff.resolve({ KEY: 'v' });
    await expect(secrets).resolves.toEqual({ KEY: 'v' });
  });
});
