import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { firstValueFrom, timeout } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultAuthenticationError, VaultConfigurationError, VaultSecretError } from '@vault-config/core';
import { vaultPlugin } from '../src';
import { startFixture, type Fixture } from '../../../test/support/dev-fixture';

describe('vaultPlugin against the dev server', () => {
  let fx: Fixture;
  let app: FastifyInstance;

  beforeEach(async () => {
    fx = await startFixture();
    app = Fastify({ logger: false });
  });
  afterEach(async () => {
    await app.close();
    await fx.close();
  });

  it('ready() waits for the secrets; later plugins see them in app.vault and the env', async () => {
    fx.vault.setLatency(150);
    let seenByLaterPlugin: string | undefined;
    await app.register(vaultPlugin, fx.options({ required: ['DATABASE_URL'] }));
    await app.register(
      fp(async (instance) => {
        seenByLaterPlugin = instance.vault.get('DATABASE_URL');
      }),
    );
    await app.ready();
    expect(seenByLaterPlugin).toMatch(/^postgres:\/\//);
    expect(fx.env.DATABASE_URL).toBe(seenByLaterPlugin);
    expect(app.vault.secrets).toMatchObject({ API_KEY: expect.any(String), JWT_SECRET: expect.any(String) });
    expect(Object.isFrozen(app.vault.secrets)).toBe(true);
    expect(app.vault.get_status()).toEqual(app.vault.getStatus());
    expect(app.vault.getStatus()).toMatchObject({ state: 'ready', keys: 3, auth_method: 'kubernetes' });
  });

  it('health route: 200 with the status, no-store, and no Vault request per health call', async () => {
    await app.register(vaultPlugin, fx.options({ healthRoute: true }));
    await app.ready();
    fx.vault.clearRequests();
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toMatchObject({ state: 'ready', secrets_loaded: true, vault_role: 'dev-myapp' });
      expect(res.body).not.toContain(app.vault.get('API_KEY'));
    }
    expect(fx.vault.requests).toHaveLength(0);
  });

  it('health route on a custom path', async () => {
    await app.register(vaultPlugin, fx.options({ healthRoute: '/ready' }));
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(404);
  });

  it('a sealed Vault rejects ready() with the typed error', async () => {
    fx.vault.seal();
    void app.register(vaultPlugin, fx.options());
    const ready = app.ready();
    await expect(ready).rejects.toBeInstanceOf(VaultConfigurationError);
    await expect(ready).rejects.toMatchObject({ code: 'VAULT_SEALED' });
  });

  it('a wrong role rejects with VaultAuthenticationError; a missing path with VaultSecretError', async () => {
    void app.register(vaultPlugin, fx.options({ role: 'nope' }));
    await expect(app.ready()).rejects.toBeInstanceOf(VaultAuthenticationError);
    const other = Fastify({ logger: false });
    void other.register(
      vaultPlugin,
      fx.options({ path: 'ACME/DEV/MISSING', token: fx.vault.rootToken, authMethod: 'token' }),
    );
    await expect(other.ready()).rejects.toMatchObject({ code: 'VAULT_SECRET_NOT_FOUND' });
    await other.close();
    expect(fx.env).toEqual({});
  });

  it('failOnError: false starts the app with state failed and the health route answers 503', async () => {
    await app.register(
      vaultPlugin,
      fx.options({ healthRoute: true, failOnError: false, path: 'ACME/OTHER' }),
    );
    await app.ready();
    const res = await app.inject({ url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ state: 'failed', last_error: { code: 'VAULT_ACCESS_DENIED' } });
  });

  it('failOnError: false keeps loading in the background: health goes 200 once Vault answers', async () => {
    fx.vault.seal();
    await app.register(vaultPlugin, fx.options({ healthRoute: true, failOnError: false, maxRetries: 0 }));
    await app.ready();
    expect((await app.inject({ url: '/health' })).statusCode).toBe(503);
    const loaded = new Promise<string[]>((resolve) => app.vault.changes$.subscribe((e) => resolve(e.keys)));
    fx.vault.unseal();
    expect(await loaded).toContain('DATABASE_URL');
    const res = await app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(app.vault.get('DATABASE_URL')).toBeDefined();
  });

  it('without VAULT_ADDR the state is disabled and health is 200', async () => {
    await app.register(vaultPlugin, { env: {}, healthRoute: true });
    const res = await app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'disabled' });
  });

  it('registering twice is a clear error', async () => {
    void app.register(vaultPlugin, fx.options());
    void app.register(vaultPlugin, fx.options());
    await expect(app.ready()).rejects.toThrow(/already registered/);
  });

  it('fits the start-up budget inside pluginTimeout, so a hanging Vault ends in a typed error', async () => {
    fx.vault.addFault({ type: 'hang' });
    const small = Fastify({ logger: false, pluginTimeout: 1_500 });
    void small.register(vaultPlugin, fx.options());
    const started = Date.now();
    await expect(small.ready()).rejects.toBeInstanceOf(VaultSecretError);
    expect(Date.now() - started).toBeLessThan(1_500);
    await small.close();
  });

  it('a start-up splay must fit the budget fitted inside pluginTimeout: a typed error naming it', async () => {
    const small = Fastify({ logger: false, pluginTimeout: 1_500 });
    void small.register(vaultPlugin, fx.options({ startupSplay: 2 }));
    await expect(small.ready()).rejects.toMatchObject({
      code: 'VAULT_CONFIG_INVALID',
      setting: 'VAULT_STARTUP_SPLAY',
      message: expect.stringContaining('less than VAULT_STARTUP_TIMEOUT (1 s)'),
    });
    await small.close();
  });

  it('a refresh updates app.vault and the env, and publishes the changed names', async () => {
    await app.register(vaultPlugin, fx.options({ refreshInterval: 1 }));
    await app.ready();
    const change = firstValueFrom(app.vault.changes$.pipe(timeout(5_000)));
    fx.vault.writeSecret('kv', 'ACME/DEV/MYAPP', {
      DATABASE_URL: 'postgres://new',
      API_KEY: 'k2',
      JWT_SECRET: 'j',
    });
    expect((await change).keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'API_KEY', 'JWT_SECRET']));
    expect(app.vault.get('DATABASE_URL')).toBe('postgres://new');
    expect(fx.env.DATABASE_URL).toBe('postgres://new');
  });

  it('onClose closes the manager: the status observable completes', async () => {
    await app.register(vaultPlugin, fx.options());
    await app.ready();
    let completed = false;
    app.vault.status$.subscribe({ complete: () => (completed = true) });
    await app.close();
    expect(completed).toBe(true);
  });
});
