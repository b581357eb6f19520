/**
 * What the public surfaces print, beyond log lines: the Fastify /health body and the Nest health
 * indicator (the same body, full or minimal), and `app.vault` printed or JSON-logged. Inputs hold
 * canaries: a secret pasted as a key name, a Vault error text, the secret values themselves.
 */
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { VaultSecretManager } from '@vault-config/core';
import { vaultPlugin } from '@vault-config/fastify';
import { VaultHealthIndicator } from '@vault-config/nestjs/health';
import { assertNoLeak } from './support/fault-leaks';
import { CANARY, PATH, startWorld, type Env, type World } from './support/fault-world';

// Terminus is the Nest package's dependency, not the root's: load the one the indicator uses.
type HealthService = ConstructorParameters<typeof VaultHealthIndicator>[0];
const nestRequire = createRequire(new URL('../packages/nestjs/package.json', import.meta.url));
const { HealthIndicatorService } = nestRequire('@nestjs/terminus') as {
  HealthIndicatorService: new () => HealthService;
};

let world: World | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  await world?.close();
  app = undefined;
  world = undefined;
});

async function start(extraEnv: Env = {}): Promise<{ app: FastifyInstance; world: World; logs: string[] }> {
  world = await startWorld();
  const logs: string[] = [];
  app = Fastify({
    logger: {
      level: 'trace',
      stream: { write: (line: string) => void logs.push(line) },
    },
  });
  const env = { ...world.env, ...extraEnv };
  await app.register(vaultPlugin, { env, healthRoute: true, failOnError: false });
  await app.ready();
  return { app, world, logs };
}

function indicatorBody(manager: VaultSecretManager): unknown {
  const indicator = new VaultHealthIndicator(new HealthIndicatorService(), manager);
  return (indicator.isHealthy() as { vault: Record<string, unknown> }).vault;
}

describe('leaks (status surfaces)', () => {
  it('a secret pasted as a key: /health, the Nest indicator and last_error name only its safe part', async () => {
    const w = await startWorld();
    world = w;
    w.server.writeSecret('kv', PATH, { [`DATABASE_URL=postgres://app:${CANARY.dbPassword}@db`]: '' });
    app = Fastify();
    await app.register(vaultPlugin, { env: { ...w.env }, healthRoute: true, failOnError: false });
    await app.ready();
    const res = await app.inject({ url: '/health' });
    expect(res.statusCode).toBe(503);
    const body = res.json<{ state: string; last_error: { code: string; message: string } }>();
    expect(body.last_error.code).toBe('VAULT_INVALID_KEY');
    expect(body.last_error.message).toContain('"DATABASE_URL=***"');
    // The Nest indicator serves the same body (Terminus adds its own `status: down`).
    expect(indicatorBody(app.vault.manager)).toEqual({ status: 'down', ...body });
    assertNoLeak([res.body, JSON.stringify(app.vault.getStatus())], w.secrets());
  });

  it('last_error on /health carries the status code, not the text Vault answered with', async () => {
    const w = await startWorld();
    world = w;
    w.server.addFault(
      { type: 'status', status: 403, body: { errors: [`permission denied, see ticket ${CANARY.apiKey}`] } },
      { path: `/v1/kv/data/${PATH}` },
    );
    app = Fastify();
    await app.register(vaultPlugin, { env: { ...w.env }, healthRoute: true, failOnError: false });
    await app.ready();
    const res = await app.inject({ url: '/health' });
    expect(res.json()).toMatchObject({ state: 'failed', last_error: { code: 'VAULT_ACCESS_DENIED' } });
    expect(res.body).toContain('(HTTP 403)');
    expect(res.body).not.toContain('permission denied');
    assertNoLeak([res.body], w.secrets());
  });

  it('VAULT_HEALTH_BODY=minimal: { state } only, on both surfaces, with the same codes', async () => {
    const { app: a } = await start({ VAULT_HEALTH_BODY: 'minimal' });
    const ok = await a.inject({ url: '/health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ state: 'ready' });
    expect(indicatorBody(a.vault.manager)).toEqual({ status: 'up', state: 'ready' });
  });

  it('printing or JSON-logging app.vault shows the status, never a secret', async () => {
    const { app: a, world: w, logs } = await start();
    expect(a.vault.get('API_KEY')).toBe(CANARY.apiKey);
    expect(a.vault.secrets.API_KEY).toBe(CANARY.apiKey);
    a.log.info({ vault: a.vault }, 'vault state');
    const printed = [inspect(a.vault, { depth: 10, showHidden: true }), JSON.stringify(a.vault), ...logs];
    expect(Object.keys(a.vault)).not.toContain('secrets');
    expect(JSON.parse(JSON.stringify(a.vault))).toEqual(a.vault.getStatus());
    expect(inspect(a.vault)).toMatch(/^VaultDecorator \{/);
    expect(logs.join('\n')).toContain('"state":"ready"');
    assertNoLeak(printed, w.secrets());
  });
});
