/**
 * After start-up with refresh on, through the manager and the dev server on the injected clock: what
 * a refresh publishes (changes$, status, env, the log line) and what an unchanged one does not; the
 * token's renewal in the status; who may log in again after a 403; and consumer reports folded into
 * readiness.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../src/errors';
import type { SecretChangeEvent } from '../../src/types';
import { CANARY, PATH, type Harness } from '../support/dev-vault';
import { rig, requestLines, START, until, useHarness } from '../support/manager-harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

const LOGIN = 'POST /v1/auth/kubernetes-dev-myapp/login 200';
const READ = `GET /v1/kv/data/${PATH} 200`;
const MINUTE = 60_000;
const reads = () => h.server.requests.filter((r) => r.path === `/v1/kv/data/${PATH}`).length;

/** A consumer's own error class (as @vault-config/pg's): its message is secret-free by contract. */
class PoolError extends VaultError {
  constructor(message: string) {
    super('VAULT_POOL_CHECK_FAILED', message);
  }
}

describe('a refresh', () => {
  it('that changes keys: publishes their names, updates env, the status and the log', async () => {
    const { manager, clock, env } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    const events: SecretChangeEvent[] = [];
    manager.changes$.subscribe((e) => events.push(e));
    const loadLines = h.logs.length;
    h.server.writeSecret('kv', PATH, {
      ...CANARY,
      API_KEY: 'rotated-key',
      DEBUG: false,
      FEATURES: { a: [1] },
      EMPTY: null,
    });
    // random 0.5: exactly the interval.
    await clock.advance(MINUTE - 1);
    expect(reads()).toBe(1);
    await clock.advance(1);
    await until(() => events.length === 1, 'the change event');
    expect(events).toEqual([
      { reason: 'refresh', keys: ['API_KEY', 'PORT'], at: new Date(START + MINUTE).toISOString() },
    ]);
    expect(env.API_KEY).toBe('rotated-key');
    expect(env.PORT).toBeUndefined();
    expect(manager.get('API_KEY')).toBe('rotated-key');
    expect(manager.getStatus()).toMatchObject({
      state: 'ready',
      keys: 5,
      loaded_at: new Date(START + MINUTE).toISOString(),
      last_error: null,
    });
    expect(h.logs.slice(loadLines)).toEqual(['[vault-config] refresh: 2 key(s) changed: API_KEY, PORT']);
    expect(h.logs.join('\n')).not.toContain('rotated-key');
    await manager.close();
  });

  it('that changes nothing: no event, no log line, loaded_at stays at the load', async () => {
    const { manager, clock } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    const events: SecretChangeEvent[] = [];
    manager.changes$.subscribe((e) => events.push(e));
    const lines = h.logs.length;
    await clock.advance(MINUTE);
    await until(() => reads() === 2, 'the refresh read');
    expect(events).toEqual([]);
    expect(h.logs).toHaveLength(lines);
    expect(manager.getStatus()).toMatchObject({
      state: 'ready',
      keys: 6,
      loaded_at: new Date(START).toISOString(),
    });
    await manager.close();
  });

  it('that fails: degraded with the error, last good secrets kept; ready again after the next success', async () => {
    const { manager, clock } = rig(h, { refreshInterval: 60, retryDelay: 4 });
    await manager.initialize();
    const remove = h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: `/v1/kv/data/${PATH}` },
    );
    await clock.advance(MINUTE);
    await until(() => manager.getStatus().state === 'degraded', 'degraded');
    expect(manager.getStatus().last_error).toMatchObject({
      code: 'VAULT_RETRIES_EXHAUSTED',
      at: new Date(START + MINUTE).toISOString(),
    });
    expect(manager.get('API_KEY')).toBe(CANARY.API_KEY);
    // Backoff from the base retry delay (4 s × 0.75 at random 0.5).
    expect(h.logs.at(-1)).toBe(
      '[vault-config] refresh failed (VAULT_RETRIES_EXHAUSTED); last good secrets kept, retrying in 3 s',
    );
    expect(clock.nextIn()).toBe(3_000);
    remove();
    await clock.advance(clock.nextIn() as number);
    await until(() => manager.getStatus().state === 'ready', 'ready again');
    expect(manager.getStatus().last_error).toBeNull();
    await manager.close();
  });

  it('that would drop a required key: refused, degraded, the key kept', async () => {
    const { manager, clock, env } = rig(h, { refreshInterval: 60, required: ['API_KEY'] });
    await manager.initialize();
    h.server.writeSecret('kv', PATH, { PORT: 1 });
    await clock.advance(MINUTE);
    await until(() => manager.getStatus().state === 'degraded', 'degraded');
    expect(manager.getStatus().last_error).toMatchObject({ code: 'VAULT_REQUIRED_KEYS_MISSING' });
    expect(env.API_KEY).toBe(CANARY.API_KEY);
    await manager.close();
  });
});

describe('the token', () => {
  it('renewed at 2/3 of its TTL: the status shows the new expiry', async () => {
    const { manager, clock } = rig(h, { refreshInterval: 24 * 3600 });
    await manager.initialize();
    expect(manager.getStatus().token_expires_at).toBe(new Date(START + 3_600_000).toISOString());
    await clock.advance(2_400_000);
    await until(
      () => manager.getStatus().token_expires_at !== new Date(START + 3_600_000).toISOString(),
      'renewal',
    );
    // vault: token-renew-self
    expect(await requestLines(h)).toEqual([LOGIN, READ, 'POST /v1/auth/token/renew-self 200']);
    expect(manager.getStatus().token_expires_at).toBe(new Date(START + 2_400_000 + 3_600_000).toISOString());
    await manager.close();
  });

  it('a 403 on a refresh (kubernetes auth): logs in again and reads with the new token', async () => {
    const { manager, clock } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    h.server.addFault(
      { type: 'status', status: 403, body: { errors: ['permission denied'] } },
      { path: `/v1/kv/data/${PATH}`, times: 1 },
    );
    await clock.advance(MINUTE);
    await until(() => reads() === 3, 'the read after the new login');
    expect(await requestLines(h)).toEqual([LOGIN, READ, `GET /v1/kv/data/${PATH} 403`, LOGIN, READ]);
    expect(manager.getStatus()).toMatchObject({ state: 'ready', last_error: null });
    await manager.close();
  });

  it('a 403 on a refresh with a token handed in: no login (it cannot make a new one), degraded', async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'], ttl: 7200 });
    const { manager, clock } = rig(h, { authMethod: 'token', token, refreshInterval: 60 });
    await manager.initialize();
    // Its TTL is not in a KV answer: looked up once, after start-up.
    await until(() => manager.getStatus().token_expires_at !== null, 'the token lookup');
    expect(manager.getStatus().token_expires_at).toBe(new Date(START + 7_200_000).toISOString());
    h.server.addFault(
      { type: 'status', status: 403, body: { errors: ['permission denied'] } },
      { path: `/v1/kv/data/${PATH}`, times: 1 },
    );
    await clock.advance(MINUTE);
    await until(() => manager.getStatus().state === 'degraded', 'degraded');
    // vault: token-lookup-self
    expect(await requestLines(h)).toEqual([
      READ,
      'GET /v1/auth/token/lookup-self 200',
      `GET /v1/kv/data/${PATH} 403`,
    ]);
    expect(manager.getStatus().last_error).toMatchObject({ code: 'VAULT_ACCESS_DENIED' });
    await manager.close();
  });
});

describe('reportConsumerError()', () => {
  it("degraded with the consumer's error until that consumer reports null; others do not clear it", async () => {
    const { manager, clock } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    const states: string[] = [];
    manager.status$.subscribe((s) => states.push(s.state));
    await clock.advance(1_000);
    const error = new PoolError('the pool check failed (28P01)');
    manager.reportConsumerError('pg pool', error);
    expect(manager.getStatus()).toMatchObject({
      state: 'degraded',
      last_error: {
        name: 'PoolError',
        code: 'VAULT_POOL_CHECK_FAILED',
        message: 'the pool check failed (28P01)',
        at: new Date(START + 1_000).toISOString(),
      },
    });
    // The same report again changes nothing: no new status.
    manager.reportConsumerError('pg pool', error);
    manager.reportConsumerError('other pool', null);
    manager.reportConsumerError('other pool', undefined);
    expect(states).toEqual(['ready', 'degraded']);
    manager.reportConsumerError('pg pool', null);
    expect(manager.getStatus()).toMatchObject({ state: 'ready', last_error: null });
    expect(states).toEqual(['ready', 'degraded', 'ready']);
    await manager.close();
  });

  it('a later report with another code replaces the shown error', async () => {
    const { manager, clock } = rig(h, { revokeToken: false });
    await manager.initialize();
    manager.reportConsumerError('pool', new PoolError('first'));
    await clock.advance(1_000);
    manager.reportConsumerError('cache', new Error('driver said password=hunter2'));
    expect(manager.getStatus()).toMatchObject({
      state: 'degraded',
      last_error: {
        code: 'UNKNOWN',
        message: 'Error (details withheld)',
        at: new Date(START + 1_000).toISOString(),
      },
    });
    await manager.close();
  });

  it('a report with the same code at a later time updates the time', async () => {
    const { manager, clock } = rig(h, { revokeToken: false });
    await manager.initialize();
    manager.reportConsumerError('pool', new PoolError('first'));
    await clock.advance(1_000);
    manager.reportConsumerError('pool', new PoolError('again'));
    expect(manager.getStatus().last_error).toMatchObject({
      at: new Date(START + 1_000).toISOString(),
      message: 'again',
    });
    await manager.close();
  });

  it('before a load: the state stays loading, and a later load is ready with the report folded in', async () => {
    const { manager } = rig(h, { revokeToken: false });
    manager.reportConsumerError('pool', new PoolError('early'));
    expect(manager.getStatus()).toMatchObject({ state: 'loading', last_error: null });
    await manager.initialize();
    expect(manager.getStatus().state).toBe('ready');
    manager.reportConsumerError('pool', null);
    expect(manager.getStatus()).toMatchObject({ state: 'ready', last_error: null });
    await manager.close();
  });

  it('on top of a failed refresh: the newer of the two errors is shown, still degraded', async () => {
    const { manager, clock } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    h.server.addFault(
      { type: 'status', status: 500, body: { errors: ['internal error'] } },
      { path: `/v1/kv/data/${PATH}` },
    );
    await clock.advance(MINUTE);
    await until(() => manager.getStatus().state === 'degraded', 'degraded');
    manager.reportConsumerError('pool', new PoolError('later'));
    expect(manager.getStatus()).toMatchObject({
      state: 'degraded',
      last_error: { code: 'VAULT_POOL_CHECK_FAILED' },
    });
    manager.reportConsumerError('pool', null);
    expect(manager.getStatus()).toMatchObject({
      state: 'degraded',
      last_error: { code: 'VAULT_RETRIES_EXHAUSTED' },
    });
    await manager.close();
  });

  it('reported undefined clears like null', async () => {
    const { manager } = rig(h, { revokeToken: false });
    await manager.initialize();
    manager.reportConsumerError('pool', new PoolError('x'));
    manager.reportConsumerError('pool', undefined);
    expect(manager.getStatus()).toMatchObject({ state: 'ready', last_error: null });
    await manager.close();
  });

  it('two consumers at the same time: clearing the shown one shows the other (same time, other code)', async () => {
    class CacheError extends VaultError {
      constructor() {
        super('VAULT_CACHE_FAILED' as never, 'cache check failed');
      }
    }
    const { manager } = rig(h, { revokeToken: false });
    await manager.initialize();
    manager.reportConsumerError('pool', new PoolError('pool check failed'));
    manager.reportConsumerError('cache', new CacheError());
    expect(manager.getStatus().last_error).toMatchObject({ code: 'VAULT_POOL_CHECK_FAILED' });
    manager.reportConsumerError('pool', null);
    expect(manager.getStatus()).toMatchObject({
      state: 'degraded',
      last_error: { code: 'VAULT_CACHE_FAILED' },
    });
    await manager.close();
  });
});

describe('events nobody listens to', () => {
  it('a refresh that changes keys before anyone read changes$ still commits', async () => {
    const { manager, clock, env } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    h.server.writeSecret('kv', PATH, { API_KEY: 'unseen' });
    await clock.advance(MINUTE);
    await until(() => env.API_KEY === 'unseen', 'the refresh');
    expect(manager.getStatus()).toMatchObject({ state: 'ready', keys: 1, last_error: null });
    await manager.close();
  });

  it('every subscriber hears the change, however often changes$ was read', async () => {
    const { manager, clock } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    const first: string[][] = [];
    const second: string[][] = [];
    manager.changes$.subscribe((e) => first.push(e.keys));
    manager.changes$.subscribe((e) => second.push(e.keys));
    expect(manager.changes$).toBe(manager.changes$);
    h.server.writeSecret('kv', PATH, { API_KEY: 'changed' });
    await clock.advance(MINUTE);
    await until(() => second.length === 1, 'the change event');
    expect(first).toEqual(second);
    expect(first[0]).toContain('API_KEY');
    await manager.close();
  });

  it('a refresh bringing a value too large for the environment warns, naming the key', async () => {
    const { manager, clock } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    h.server.writeSecret('kv', PATH, { BIG: 'x'.repeat(200_000) });
    await clock.advance(MINUTE);
    await until(() => manager.getStatus().keys === 1, 'the refresh');
    expect(h.logs.filter((l) => l.includes('BIG') && !l.includes('changed'))).toHaveLength(1);
    await manager.close();
  });
});
