/**
 * `failOnError: false`: the Nest app bootstraps while Vault is down, health is down, and the
 * manager keeps loading in the background until Vault answers; then the secrets are there and
 * `changes$` announces them.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { firstValueFrom, filter, timeout } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultConfigModule, VaultSecrets } from '../src';
import { startFixture, type Fixture } from '../../../test/support/dev-fixture';

describe('VaultConfigModule failOnError: false', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => fx.close());

  it('forRoot: bootstraps with Vault sealed, then loads in the background', async () => {
    fx.vault.seal();
    @Module({
      imports: [
        VaultConfigModule.forRoot(
          fx.options({ env: fx.env, logger: false, failOnError: false, maxRetries: 0 }),
        ),
      ],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const secrets = moduleRef.get(VaultSecrets);
    expect(secrets.getStatus()).toMatchObject({ state: 'failed', last_error: { code: 'VAULT_SEALED' } });
    expect(secrets.get('DATABASE_URL')).toBeUndefined();
    const loaded = firstValueFrom(
      secrets.changes$.pipe(
        filter((e) => e.reason === 'load'),
        timeout(8_000),
      ),
    );
    fx.vault.unseal();
    expect((await loaded).keys).toContain('DATABASE_URL');
    expect(secrets.getStatus().state).toBe('ready');
    expect(secrets.get('DATABASE_URL')).toMatch(/^postgres:\/\//);
    await moduleRef.close();
  });

  it('forRootAsync: same, and the default still rejects bootstrap', async () => {
    fx.vault.seal();
    @Module({
      imports: [
        VaultConfigModule.forRootAsync({
          useFactory: () => fx.options({ env: fx.env, logger: false, failOnError: false, maxRetries: 0 }),
        }),
      ],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const secrets = moduleRef.get(VaultSecrets);
    expect(secrets.getStatus().state).toBe('failed');
    fx.vault.unseal();
    await firstValueFrom(
      secrets.changes$.pipe(
        filter((e) => e.reason === 'load'),
        timeout(8_000),
      ),
    );
    expect(secrets.get('DATABASE_URL')).toMatch(/^postgres:\/\//);
    await moduleRef.close();

    fx.vault.seal();
    @Module({
      imports: [
        VaultConfigModule.forRootAsync({
          useFactory: () => fx.options({ env: {}, logger: false, maxRetries: 0 }),
        }),
      ],
    })
    class Strict {}
    await expect(Test.createTestingModule({ imports: [Strict] }).compile()).rejects.toMatchObject({
      code: 'VAULT_SEALED',
    });
  });
});
