/**
 * initializeInBackground(): a failed start-up is retried on the injected clock with capped, jittered
 * backoff (the wait is logged in seconds), a load that succeeds later is announced on changes$
 * (reason `load`), and nothing is retried after close() or twice at once.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SecretChangeEvent } from '../../src/types';
import { PATH, type Harness } from '../support/dev-vault';
import { rig, requestLines, START, until, useHarness } from '../support/manager-harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

const LOGIN = 'POST /v1/auth/kubernetes-dev-myapp/login';
const READ = `GET /v1/kv/data/${PATH} 200`;
/** Refuses the next `times` logins (a 403 is not retried within one attempt). */
const refuseLogins = (times: number) =>
  h.server.addFault(
    { type: 'status', status: 403, body: { errors: ['permission denied'] } },
    { path: '/v1/auth/kubernetes-dev-myapp/login', times },
  );

describe('initializeInBackground()', () => {
  it('retries after 3 s then 6 s (base 4 s, random 0.5), then announces the keys it loaded', async () => {
    refuseLogins(2);
    const { manager, clock, env } = rig(h, { retryDelay: 4, revokeToken: false });
    const events: SecretChangeEvent[] = [];
    manager.changes$.subscribe((e) => events.push(e));
    manager.initializeInBackground();
    await until(() => clock.timers === 1, 'the retry timer');
    expect(manager.getStatus()).toMatchObject({
      state: 'failed',
      last_error: { code: 'VAULT_LOGIN_REJECTED' },
    });
    expect(clock.delays).toEqual([3_000]);
    expect(h.logs.filter((l) => l.includes('loading again'))).toEqual([
      '[vault-config] start-up failed (VAULT_LOGIN_REJECTED); loading again in the background in 3 s',
    ]);

    // Just before the wait is up: nothing. Then the second attempt, refused too.
    await clock.advance(2_999);
    expect(await requestLines(h)).toEqual([`${LOGIN} 403`]);
    await clock.advance(1);
    await until(() => clock.delays.length === 2, 'the second retry timer');
    expect(await requestLines(h)).toEqual([`${LOGIN} 403`, `${LOGIN} 403`]);
    expect(clock.delays).toEqual([3_000, 6_000]);
    expect(h.logs.at(-1)).toBe(
      '[vault-config] start-up failed (VAULT_LOGIN_REJECTED); loading again in the background in 6 s',
    );
    expect(events).toEqual([]);

    await clock.advance(6_000);
    await until(() => events.length > 0, 'the load event');
    expect(await requestLines(h)).toEqual([`${LOGIN} 403`, `${LOGIN} 403`, `${LOGIN} 200`, READ]);
    expect(manager.getStatus()).toMatchObject({ state: 'ready', last_error: null, secrets_loaded: true });
    expect(events).toEqual([
      {
        reason: 'load',
        keys: ['DATABASE_URL', 'API_KEY', 'PORT', 'DEBUG', 'FEATURES', 'EMPTY'],
        at: new Date(START + 9_000).toISOString(),
      },
    ]);
    expect(env.PORT).toBe('8080');
    // A later initialize() returns the load that succeeded.
    await expect(manager.initialize()).resolves.toMatchObject({ PORT: '8080' });
    expect(clock.timers).toBe(0);
    await manager.close();
  });

  it('a first attempt that succeeds announces nothing and sets no timer', async () => {
    const { manager, clock } = rig(h, { revokeToken: false });
    const events: SecretChangeEvent[] = [];
    manager.changes$.subscribe((e) => events.push(e));
    manager.initializeInBackground();
    await manager.initialize();
    await clock.advance(0);
    expect(manager.getStatus().state).toBe('ready');
    expect(events).toEqual([]);
    expect(clock.timers).toBe(0);
    await manager.close();
  });

  it('a second call while the first is running starts nothing more', async () => {
    refuseLogins(1);
    const { manager, clock } = rig(h, { retryDelay: 4 });
    manager.initializeInBackground();
    manager.initializeInBackground();
    await until(() => clock.timers === 1, 'the retry timer');
    expect(await requestLines(h)).toEqual([`${LOGIN} 403`]);
    expect(clock.delays).toEqual([3_000]);
    await manager.close();
  });

  it('close() cancels the retry: moving the clock makes no request', async () => {
    refuseLogins(1);
    const { manager, clock } = rig(h, { retryDelay: 4 });
    manager.initializeInBackground();
    await until(() => clock.timers === 1, 'the retry timer');
    await manager.close();
    await clock.advance(60_000);
    expect(await requestLines(h)).toEqual([`${LOGIN} 403`]);
    expect(clock.timers).toBe(0);
  });

  it('close() during an attempt: no retry is scheduled after it', async () => {
    refuseLogins(1);
    h.server.addFault({ type: 'latency', ms: 50 }, { path: '/v1/auth/kubernetes-dev-myapp/login', times: 1 });
    const { manager, clock } = rig(h, { retryDelay: 4 });
    manager.initializeInBackground();
    await manager.close();
    await clock.advance(60_000);
    expect(clock.delays).toEqual([]);
    expect(h.logs.filter((l) => l.includes('loading again'))).toEqual([]);
  });

  it('after close() it does nothing', async () => {
    const { manager, clock } = rig(h);
    await manager.close();
    manager.initializeInBackground();
    await clock.advance(10_000);
    expect(await requestLines(h)).toEqual([]);
    expect(manager.getStatus().state).toBe('loading');
  });
});
