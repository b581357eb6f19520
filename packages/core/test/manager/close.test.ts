/**
 * close(): during each step of initialize() (the load rejects VAULT_CLOSED and gives back what it
 * obtained), after a load (what is revoked: the leases and the token logged in for, never a token
 * handed in), and what stays quiet afterwards (streams complete, no new load, no status change).
 */
import { filter, firstValueFrom } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { VaultConfigurationError, VaultError } from '../../src/errors';
import { PATH, type Harness } from '../support/dev-vault';
import { rig, requestLines, until, useHarness } from '../support/manager-harness';

const harness = useHarness();
let h: Harness;
beforeEach(() => {
  h = harness();
});

const LOGIN = 'POST /v1/auth/kubernetes-dev-myapp/login 200';
const READ = `GET /v1/kv/data/${PATH} 200`;
const REVOKE_SELF = 'POST /v1/auth/token/revoke-self 204';
const CLOSED_MESSAGE =
  'the manager was closed before its secrets were loaded: nothing was injected (create a new VaultSecretManager to load again)';

async function closedError(p: Promise<unknown>): Promise<VaultError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultConfigurationError);
  return error as VaultError;
}

describe('close() during initialize()', () => {
  it('while the read hangs: the read is cut, the token is revoked, the load rejects VAULT_CLOSED', async () => {
    h.server.addFault({ type: 'hang' }, { path: `/v1/kv/data/${PATH}` });
    const { manager, env } = rig(h);
    const loading = manager.initialize();
    // The login's answer is in: the status shows the token.
    await firstValueFrom(manager.status$.pipe(filter((s) => s.authenticated)));
    await manager.close();
    // close() resolved after the start-up cleaned up after itself (token given back, then logged).
    expect(h.logs).toEqual(['[vault-config] start-up failed (reported by the caller): VAULT_CLOSED']);
    const error = await closedError(loading);
    expect(error).toMatchObject({ code: 'VAULT_CLOSED', message: CLOSED_MESSAGE });
    expect((await requestLines(h)).filter((l) => !l.startsWith('GET'))).toEqual([LOGIN, REVOKE_SELF]);
    // Closed on purpose: not a failure to show or to log as one.
    expect(manager.getStatus()).toMatchObject({
      state: 'loading',
      secrets_loaded: false,
      authenticated: false,
    });
    expect(h.logs).toEqual(['[vault-config] start-up failed (reported by the caller): VAULT_CLOSED']);
    expect(env).toEqual({});
  });

  it('while logging in: nothing was obtained, nothing to revoke', async () => {
    h.server.addFault({ type: 'hang' }, { path: '/v1/auth/kubernetes-dev-myapp/login' });
    const { manager } = rig(h);
    const loading = manager.initialize();
    await new Promise((r) => setTimeout(r, 20));
    await manager.close();
    expect(await closedError(loading)).toMatchObject({ code: 'VAULT_CLOSED' });
    expect((await requestLines(h)).filter((l) => l.includes('revoke'))).toEqual([]);
    expect(manager.getStatus().state).toBe('loading');
  });

  it('initialize() after close() rejects at once without a request; so does a second call', async () => {
    const { manager } = rig(h);
    await manager.close();
    expect(await closedError(manager.initialize())).toMatchObject({
      code: 'VAULT_CLOSED',
      message: CLOSED_MESSAGE,
    });
    await expect(manager.initialize()).rejects.toMatchObject({ code: 'VAULT_CLOSED' });
    manager.initializeInBackground();
    expect(await requestLines(h)).toEqual([]);
    expect(manager.getStatus().state).toBe('loading');
  });

  it('initialize() after a completed load and close() still resolves with what was loaded', async () => {
    const { manager } = rig(h, { revokeToken: false });
    const loaded = await manager.initialize();
    await manager.close();
    await expect(manager.initialize()).resolves.toBe(loaded);
  });
});

describe('close() after a load', () => {
  it('with refresh on (kubernetes auth): revokes the token once, however often close() is called', async () => {
    const { manager, clock } = rig(h, { refreshInterval: 60 });
    await manager.initialize();
    expect(await requestLines(h)).toEqual([LOGIN, READ]);
    expect(clock.timers).toBeGreaterThan(0);
    await Promise.all([manager.close(), manager.close()]);
    await manager.close();
    expect(await requestLines(h)).toEqual([LOGIN, READ, REVOKE_SELF]);
    // Every watcher stopped: moving the clock makes no request.
    await clock.advance(3_600_000);
    expect(await requestLines(h)).toEqual([LOGIN, READ, REVOKE_SELF]);
  });

  it("with a token handed in: the token is the caller's, never revoked", async () => {
    const token = h.server.createToken({ policies: ['myapp-dev-read'] });
    const { manager } = rig(h, { authMethod: 'token', token, refreshInterval: 60 });
    await manager.initialize();
    await manager.close();
    expect((await requestLines(h)).filter((l) => l.includes('revoke'))).toEqual([]);
  });

  it('a start-up-only manager revoked its token after loading: close() revokes nothing more', async () => {
    const { manager } = rig(h, { revokeToken: undefined });
    await manager.initialize();
    await manager.close();
    expect(await requestLines(h)).toEqual([LOGIN, READ, REVOKE_SELF]);
  });

  it('completes changes$, rotations$ and status$, also for a subscriber that comes after', async () => {
    const { manager } = rig(h, { revokeToken: false });
    const done: string[] = [];
    manager.changes$.subscribe({ complete: () => done.push('changes') });
    manager.status$.subscribe({ complete: () => done.push('status') });
    await manager.initialize();
    await manager.close();
    manager.rotations$.subscribe({ complete: () => done.push('rotations (late)') });
    expect(done).toEqual(['changes', 'status', 'rotations (late)']);
  });

  it('a consumer error reported after close() changes nothing', async () => {
    const { manager } = rig(h, { revokeToken: false });
    await manager.initialize();
    await manager.close();
    manager.reportConsumerError('pool', new VaultConfigurationError('VAULT_CLOSED', 'late'));
    expect(manager.getStatus()).toMatchObject({ state: 'ready', last_error: null });
  });

  it('waits for the revoke-after-load still in flight', async () => {
    h.server.addFault({ type: 'latency', ms: 50 }, { path: '/v1/auth/token/revoke-self' });
    const { manager } = rig(h, { revokeToken: undefined });
    await manager.initialize();
    expect(h.logs.filter((l) => l.includes('revoked'))).toEqual([]);
    await manager.close();
    expect(h.logs).toContain('[vault-config] token revoked after start-up (VAULT_REVOKE_TOKEN)');
  });

  it('a new login answered while close() gives back the old token: its token is revoked too', async () => {
    // The new login is answered after 100 ms, and close()'s revoke of the old token takes 300 ms,
    // so the new token arrives after stop().
    h.server.addFault({ type: 'latency', ms: 300 }, { path: '/v1/auth/token/revoke-self', times: 1 });
    const manager = await reloginInFlight(100);
    await manager.close();
    const revokes = () => h.server.requests.filter((r) => r.path === '/v1/auth/token/revoke-self').length;
    await until(() => revokes() === 2, 'both tokens revoked');
    const lines = await requestLines(h);
    expect(lines).toEqual([LOGIN, READ, `GET /v1/kv/data/${PATH} 403`, LOGIN, REVOKE_SELF, REVOKE_SELF]);
  });
});

/** A refresh refused with 403, so the supervisor logs in again; that login answers after `loginMs`. */
async function reloginInFlight(loginMs: number) {
  const { manager, clock } = rig(h, { refreshInterval: 60 });
  await manager.initialize();
  h.server.addFault(
    { type: 'status', status: 403, body: { errors: ['permission denied'] } },
    { path: `/v1/kv/data/${PATH}`, times: 1 },
  );
  h.server.addFault(
    { type: 'latency', ms: loginMs },
    { path: '/v1/auth/kubernetes-dev-myapp/login', times: 1 },
  );
  await clock.advance(60_000);
  await until(() => h.server.requests.some((r) => r.status === 403), 'the refused refresh');
  // The server logs a request when it is answered: give the new login a moment to go out.
  await new Promise((r) => setTimeout(r, 20));
  return manager;
}

describe('close() during a re-login', () => {
  it('waits for the login in flight, then revokes its token: both revoked when close() resolves', async () => {
    // The new login is answered well after close() has revoked the old token.
    const manager = await reloginInFlight(300);
    await manager.close();
    const revokes = h.server.requests.filter((r) => r.path === '/v1/auth/token/revoke-self');
    expect(revokes.map((r) => r.status)).toEqual([204, 204]);
    const lines = await requestLines(h);
    expect(lines.slice(-2)).toEqual([REVOKE_SELF, REVOKE_SELF]);
    expect(lines.filter((l) => l === LOGIN)).toHaveLength(2);
  });
});

describe('connections', () => {
  /** Open TCP sockets of this process: the manager's keep-alive ones and the dev server's ends. */
  const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  async function closedBy(count: number): Promise<void> {
    await until(() => sockets() <= count, `sockets back to ${count}`).catch(() => undefined);
  }

  it.each([
    ['start-up only, token kept', { revokeToken: false }],
    ['start-up only, token revoked after the load', { revokeToken: undefined }],
    ['with refresh', { refreshInterval: 60 }],
  ])('%s: none left open after close()', async (_name, extra) => {
    await closedBy(0);
    const before = sockets();
    const { manager } = rig(h, extra);
    await manager.initialize();
    await manager.close();
    await closedBy(before);
    expect(sockets()).toBe(before);
  });

  it.each([
    ['token kept', { revokeToken: false }, 'loaded '],
    ['token revoked after the load', { revokeToken: undefined }, 'token revoked after start-up'],
  ])(
    'start-up only (%s): connections released right after the load, before close()',
    async (_name, extra, line) => {
      await closedBy(0);
      const before = sockets();
      const { manager } = rig(h, extra);
      await manager.initialize();
      await until(() => h.logs.some((l) => l.includes(line)), line);
      await closedBy(before);
      expect(sockets()).toBe(before);
      await manager.close();
    },
  );
});
