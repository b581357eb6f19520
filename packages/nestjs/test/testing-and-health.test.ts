/**
 * Unit-test mode (fixed secrets, no Vault) and the health controller for apps without terminus,
 * served over HTTP on both platforms.
 */
import 'reflect-metadata';
import { Inject, Injectable, Module, type INestApplication, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { inspect } from 'node:util';
import { VaultSecretManager } from '@vault-config/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createVaultHealthController,
  VAULT_SECRET_MANAGER,
  VaultConfigModule,
  VaultHealthController,
  VaultSecrets,
  type VaultRootOptions,
} from '../src';
import { startFixture, type Fixture } from '../../../test/support/dev-fixture';

@Injectable()
class UsersService {
  constructor(
    @Inject(VaultSecrets) private readonly vault: VaultSecrets,
    @Inject(ConfigService) private readonly config: ConfigService,
  ) {}
  urls() {
    return { vault: this.vault.get('DATABASE_URL'), config: this.config.get<string>('DATABASE_URL') };
  }
}

describe('VaultConfigModule.forTesting', () => {
  it('serves fixed secrets to VaultSecrets and (through ConfigModule load) to ConfigService', async () => {
    const secrets = { DATABASE_URL: 'postgres://test' };
    const moduleRef = await Test.createTestingModule({
      imports: [
        VaultConfigModule.forTesting({ secrets }),
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => secrets] }),
      ],
      providers: [UsersService],
    }).compile();
    expect(moduleRef.get(UsersService).urls()).toEqual({
      vault: 'postgres://test',
      config: 'postgres://test',
    });
    expect(process.env.DATABASE_URL).toBeUndefined();
    const status = moduleRef.get(VaultSecrets).getStatus();
    expect(status).toMatchObject({ state: 'disabled', secrets_loaded: true, keys: 1 });
    expect(JSON.stringify(moduleRef.get(VaultSecrets).manager)).not.toContain('postgres://test');
    expect(inspect(moduleRef.get(VaultSecrets).manager)).not.toContain('postgres://test');
    await moduleRef.close();
  });

  it('inject: true writes into process.env until close, then restores what was there', async () => {
    process.env.API_KEY = 'from-the-shell';
    const moduleRef = await Test.createTestingModule({
      imports: [
        VaultConfigModule.forTesting({
          secrets: { DATABASE_URL: 'postgres://t', API_KEY: 'k' },
          inject: true,
        }),
        ConfigModule.forRoot({ ignoreEnvFile: true }),
      ],
      providers: [UsersService],
    }).compile();
    expect(moduleRef.get(UsersService).urls().config).toBe('postgres://t');
    expect(process.env.API_KEY).toBe('k');
    await moduleRef.close();
    expect(process.env.DATABASE_URL).toBeUndefined();
    expect(process.env.API_KEY).toBe('from-the-shell');
    delete process.env.API_KEY;
  });

  it('refuses a value that is not a string, naming the key', () => {
    expect(() => VaultConfigModule.forTesting({ secrets: { PORT: 5432 as unknown as string } })).toThrow(
      /"PORT" must be a string/,
    );
  });
});

describe.each([
  ['express', () => undefined],
  ['fastify', () => new FastifyAdapter()],
])('VaultHealthController on %s', (_platform, adapter) => {
  let fx: Fixture;
  let app: INestApplication | undefined;
  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fx.close();
  });

  async function serve(imports: unknown[], controller: Type = VaultHealthController) {
    @Module({ imports: imports as never[], controllers: [controller] })
    class AppModule {}
    const platform = adapter();
    app = platform
      ? await NestFactory.create(AppModule, platform, { logger: false, abortOnError: false })
      : await NestFactory.create(AppModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    return (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  it('answers 200 with the status object, and never calls Vault', async () => {
    const options: VaultRootOptions = fx.options({ env: {}, logger: false });
    const url = await serve([VaultConfigModule.forRoot(options)]);
    fx.vault.clearRequests();
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).slice(0, 6)).toEqual([
      'authenticated',
      'secrets_loaded',
      'vault_url',
      'vault_path',
      'vault_role',
      'state',
    ]);
    expect(body).toMatchObject({ state: 'ready', vault_role: 'dev-myapp', keys: 3 });
    expect(JSON.stringify(body)).not.toContain('postgres://');
    // The start-up-only token revocation may land meanwhile; a health request adds nothing.
    expect(fx.vault.requests.filter((r) => !r.path.endsWith('/revoke-self'))).toEqual([]);
  });

  it('answers 200 while degraded (a refresh fails, the secrets are still valid)', async () => {
    const options: VaultRootOptions = fx.options({ env: {}, logger: false, refreshInterval: 1 });
    const url = await serve([VaultConfigModule.forRoot(options)], createVaultHealthController('ready'));
    const secrets = app!.get(VaultSecrets);
    fx.vault.seal();
    const deadline = Date.now() + 10_000;
    while (secrets.getStatus().state === 'ready' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await fetch(`${url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'degraded' });
  });

  it('answers 503 with the status object when loading failed', async () => {
    fx.vault.seal();
    const manager = new VaultSecretManager(fx.options({ env: {}, logger: false }));
    await manager.initialize().catch(() => undefined);
    @Module({
      providers: [{ provide: VAULT_SECRET_MANAGER, useValue: manager }],
      exports: [VAULT_SECRET_MANAGER],
    })
    class FailedVaultModule {}
    const url = await serve([FailedVaultModule]);
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ state: 'failed', last_error: { code: 'VAULT_SEALED' } });
    await manager.close();
  });

  it('answers 200 with state disabled for fixed test secrets', async () => {
    const url = await serve([VaultConfigModule.forTesting({ secrets: { A: 'b' } })]);
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: 'disabled', keys: 1 });
  });
});
