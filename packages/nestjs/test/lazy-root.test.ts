/**
 * forRoot loads when Nest scans the graph, not when it is called: the standard e2e layout (module
 * imported first, Vault and the environment set up afterwards) works, equal options share one
 * manager, a closed app's manager is replaced at the next bootstrap, and a test can swap the
 * import for fixed secrets without any request.
 */
import 'reflect-metadata';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VaultConfigModule, VaultSecrets, type VaultRootOptions } from '../src';
import { startFixture, type Fixture } from '../../../test/support/dev-fixture';

const LOGIN = '/v1/auth/kubernetes-dev-myapp/login';
const logins = (fx: Fixture) => fx.vault.requests.filter((r) => r.path === LOGIN).length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

function appWith(...imports: Promise<DynamicModule>[]) {
  @Module({ imports })
  class AppModule {}
  return AppModule;
}

describe('VaultConfigModule.forRoot loads at bootstrap', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => fx.close());

  it('calling forRoot (as a decorator does at import) makes no request and keeps nothing pending', async () => {
    const env: Record<string, string | undefined> = {};
    const imported = VaultConfigModule.forRoot({ ...fx.options({ env, logger: false }) });
    await settle();
    expect(fx.vault.requests).toEqual([]);
    expect(env).toEqual({});
    expect(imported).toBeInstanceOf(Promise); // what Nest's scanner requires to await an import
  });

  it('reads the environment when Nest bootstraps, so Vault can be set up after the import', async () => {
    // The e2e layout: AppModule (and its forRoot) evaluated before the environment exists.
    const env: Record<string, string | undefined> = {};
    const AppModule = appWith(VaultConfigModule.forRoot({ env, logger: false }));
    Object.assign(env, {
      VAULT_ADDR: fx.vault.address,
      VAULT_ROLE: 'dev-myapp',
      VAULT_PATH: 'ACME/DEV/MYAPP',
      VAULT_K8S_AUTH_MOUNT_POINT: 'kubernetes-dev-myapp',
      VAULT_K8S_TOKEN_PATH: fx.tokenPath,
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    expect(moduleRef.get(VaultSecrets).get('DATABASE_URL')).toMatch(/^postgres:\/\//);
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\//);
    await moduleRef.close();
  });

  it('equal options share one manager: one login for two forRoot imports in one graph', async () => {
    const options = (): VaultRootOptions => fx.options({ env: fx.env, logger: false });
    @Module({ imports: [VaultConfigModule.forRoot(options())] })
    class FeatureModule {}
    const AppModule = appWith(VaultConfigModule.forRoot(options()));
    const app = await NestFactory.createApplicationContext(
      { module: AppModule, imports: [FeatureModule] },
      { logger: false, abortOnError: false },
    );
    expect(logins(fx)).toBe(1);
    expect(VaultConfigModule.forRoot(options())).toBe(VaultConfigModule.forRoot(options()));
    await app.close();
  });

  it('after app.close() the next bootstrap (beforeEach style) loads afresh with an open manager', async () => {
    const AppModule = appWith(VaultConfigModule.forRoot(fx.options({ env: {}, logger: false })));
    const first = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const firstStatus: string[] = [];
    first.get(VaultSecrets).status$.subscribe({ complete: () => firstStatus.push('complete') });
    await first.close();
    expect(firstStatus).toEqual(['complete']);

    const second = await Test.createTestingModule({ imports: [AppModule] }).compile();
    expect(second.get(VaultSecrets).getStatus().state).toBe('ready');
    expect(second.get(VaultSecrets).manager).not.toBe(first.get(VaultSecrets).manager);
    expect(logins(fx)).toBe(2);
    await second.close();
  });

  it('app.close() stops the refresh loop: no request reaches Vault afterwards', async () => {
    const AppModule = appWith(
      VaultConfigModule.forRoot(fx.options({ env: {}, logger: false, refreshInterval: 1 })),
    );
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
    const reads = () => fx.vault.requests.filter((r) => r.path.startsWith('/v1/kv/')).length;
    const before = reads();
    // Refresh every 1 s ± 10 %.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(reads()).toBeGreaterThan(before); // the loop runs while the app is open
    await app.close();
    fx.vault.clearRequests();
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(fx.vault.requests).toEqual([]);
  });

  it('two apps open at once share the manager; it closes with the last', async () => {
    const AppModule = appWith(VaultConfigModule.forRoot(fx.options({ env: {}, logger: false })));
    const a = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const b = await NestFactory.createApplicationContext(AppModule, { logger: false });
    expect(a.get(VaultSecrets).manager).toBe(b.get(VaultSecrets).manager);
    await a.close();
    expect(b.get(VaultSecrets).getStatus().state).toBe('ready');
    let completed = false;
    b.get(VaultSecrets).status$.subscribe({ complete: () => (completed = true) });
    await b.close();
    expect(completed).toBe(true);
    expect(logins(fx)).toBe(1);
  });

  it('warns when a process loads with different options', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const AppModule = appWith(
      VaultConfigModule.forRoot(fx.options({ env: {}, logger: false, isGlobal: false })),
      VaultConfigModule.forRoot(fx.options({ env: {}, logger: false, isGlobal: false, timeout: 7 })),
    );
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/2 different sets of options/));
    warn.mockRestore();
    await app.close();
  });

  it('a failed load leaves nothing behind: the next bootstrap tries again', async () => {
    fx.vault.seal();
    const AppModule = appWith(VaultConfigModule.forRoot(fx.options({ env: {}, logger: false })));
    await expect(Test.createTestingModule({ imports: [AppModule] }).compile()).rejects.toMatchObject({
      code: 'VAULT_SEALED',
    });
    fx.vault.unseal();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    expect(moduleRef.get(VaultSecrets).getStatus().state).toBe('ready');
    await moduleRef.close();
  });

  it('overrideModule swaps the import for fixed secrets without any request', async () => {
    const options = fx.options({ env: {}, logger: false });
    const AppModule = appWith(VaultConfigModule.forRoot(options));
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideModule(VaultConfigModule.forRoot(options))
      .useModule(VaultConfigModule.forTesting({ secrets: { DATABASE_URL: 'postgres://fixed' } }))
      .compile();
    expect(moduleRef.get(VaultSecrets).get('DATABASE_URL')).toBe('postgres://fixed');
    expect(fx.vault.requests).toEqual([]);
    await moduleRef.close();
  });
});
