/**
 * The ordering guarantee with real Nest modules: a provider factory that reads ConfigService (the
 * TypeOrmModule.forRootAsync pattern) sees the Vault values whatever the order of `imports`, and a
 * ConfigModule `validate` sees them when it goes through VaultConfigModule's `configModule` option.
 */
import 'reflect-metadata';
import { Inject, Injectable, Module, type DynamicModule, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { firstValueFrom, timeout } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultSecretError } from '@vault-config/core';
import { VaultConfigModule, VaultSecrets, type VaultModuleOptions } from '../src';
import { startFixture, type Fixture } from '../../../test/support/dev-fixture';

const DB_OPTIONS = Symbol('DB_OPTIONS');
const CONFIG = () => ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true });

/** Stands in for TypeOrmModule.forRootAsync: an async factory injecting ConfigService. */
@Module({})
class DbModule {
  static forRootAsync(): DynamicModule {
    return {
      module: DbModule,
      providers: [
        {
          provide: DB_OPTIONS,
          inject: [ConfigService],
          useFactory: async (config: ConfigService) => ({ url: config.get<string>('DATABASE_URL') }),
        },
      ],
      exports: [DB_OPTIONS],
    };
  }
}

async function boot(imports: (DynamicModule | Promise<DynamicModule> | Type)[]) {
  @Module({ imports })
  class AppModule {}
  return NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
}

describe('VaultConfigModule ordering', () => {
  let fx: Fixture;
  const touched = ['DATABASE_URL', 'API_KEY', 'JWT_SECRET'];
  let options: VaultModuleOptions;

  beforeEach(async () => {
    fx = await startFixture();
    for (const key of touched) delete process.env[key];
    // ConfigService reads process.env, so these tests inject there (each test file is its own process).
    options = fx.options({ env: process.env, logger: false, required: ['DATABASE_URL'] });
  });
  afterEach(async () => {
    for (const key of touched) delete process.env[key];
    await fx.close();
  });

  it.each([
    [
      'Vault first',
      (o: VaultModuleOptions) => [VaultConfigModule.forRoot(o), CONFIG(), DbModule.forRootAsync()],
    ],
    [
      'Vault last',
      (o: VaultModuleOptions) => [DbModule.forRootAsync(), CONFIG(), VaultConfigModule.forRoot(o)],
    ],
    [
      'Vault between',
      (o: VaultModuleOptions) => [CONFIG(), VaultConfigModule.forRoot(o), DbModule.forRootAsync()],
    ],
  ])('%s: a ConfigService factory sees DATABASE_URL', async (_name, imports) => {
    fx.vault.setLatency(100); // loading takes real time: the factory must still wait for it
    const app = await boot(imports(options));
    expect(app.get<{ url?: string }>(DB_OPTIONS).url).toMatch(/^postgres:\/\//);
    expect(app.get(VaultSecrets).get('DATABASE_URL')).toBe(app.get<{ url?: string }>(DB_OPTIONS).url);
    await app.close();
  });

  it('ConfigModule validate sees Vault keys through the configModule option, in any position', async () => {
    let validated: Record<string, unknown> | undefined;
    const validate = (config: Record<string, unknown>) => {
      if (typeof config.DATABASE_URL !== 'string') throw new Error('DATABASE_URL is required');
      validated = config;
      return config;
    };
    const app = await boot([
      DbModule.forRootAsync(),
      VaultConfigModule.forRoot({
        ...options,
        configModule: { validate, isGlobal: true, ignoreEnvFile: true },
      }),
    ]);
    expect(validated?.DATABASE_URL).toMatch(/^postgres:\/\//);
    expect(app.get(ConfigService).get('DATABASE_URL')).toBe(validated?.DATABASE_URL);
    await app.close();
  });

  it('the documented limit: a plain ConfigModule.forRoot({ validate }) runs before Vault has loaded', async () => {
    const validate = (config: Record<string, unknown>) => {
      if (typeof config.DATABASE_URL !== 'string') throw new Error('DATABASE_URL is required');
      return config;
    };
    const config = ConfigModule.forRoot({ validate, ignoreEnvFile: true });
    // Nest awaits imports in order; handle the early rejection so Node does not flag it meanwhile.
    config.catch(() => undefined);
    await expect(boot([VaultConfigModule.forRoot(options), config])).rejects.toThrow(
      'DATABASE_URL is required',
    );
  });

  it('forRootAsync: options from a factory; a provider depending on VaultSecrets sees the values', async () => {
    @Injectable()
    class Consumer {
      readonly url: string | undefined;
      constructor(@Inject(VaultSecrets) secrets: VaultSecrets) {
        this.url = secrets.get('DATABASE_URL');
      }
    }
    const OPTS = Symbol('OPTS');
    @Module({ providers: [{ provide: OPTS, useValue: options }], exports: [OPTS] })
    class OptionsModule {}
    @Module({
      imports: [
        VaultConfigModule.forRootAsync({
          imports: [OptionsModule],
          inject: [OPTS],
          useFactory: async (o: VaultModuleOptions) => o,
        }),
      ],
      providers: [Consumer],
    })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
    expect(app.get(Consumer).url).toMatch(/^postgres:\/\//);
    await app.close();
  });

  it('a failed load rejects bootstrap with the typed error and injects nothing', async () => {
    const failing = boot([
      VaultConfigModule.forRoot({
        ...options,
        path: 'ACME/DEV/MISSING',
        authMethod: 'token',
        token: fx.vault.rootToken,
      }),
    ]);
    await expect(failing).rejects.toBeInstanceOf(VaultSecretError);
    await expect(failing).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
    expect(process.env.DATABASE_URL).toBeUndefined();
  });

  it('a refresh reaches ConfigService.get and VaultSecrets, with the changed names', async () => {
    const app = await boot([VaultConfigModule.forRoot({ ...options, refreshInterval: 1 }), CONFIG()]);
    const change = firstValueFrom(app.get(VaultSecrets).changes$.pipe(timeout(5_000)));
    fx.vault.writeSecret('kv', 'ACME/DEV/MYAPP', {
      DATABASE_URL: 'postgres://new',
      API_KEY: 'k',
      JWT_SECRET: 'j',
    });
    expect((await change).keys).toContain('DATABASE_URL');
    expect(app.get(ConfigService).get('DATABASE_URL')).toBe('postgres://new');
    expect(app.get(VaultSecrets).get('DATABASE_URL')).toBe('postgres://new');
    await app.close();
  });

  it('app.close() closes the manager: the status observable completes', async () => {
    const app = await boot([VaultConfigModule.forRoot(options)]);
    let completed = false;
    app.get(VaultSecrets).status$.subscribe({ complete: () => (completed = true) });
    await app.close();
    expect(completed).toBe(true);
  });
});
