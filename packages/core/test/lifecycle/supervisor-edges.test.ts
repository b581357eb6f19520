/**
 * The supervisor's decisions on the fake clock, one at a time: what it logs (exact lines), which
 * requests it makes and when (exact request logs), what a 403, 400 or 503 leads to, lease-less
 * dynamic paths, and what stop() leaves behind.
 */
import { describe, expect, it } from 'vitest';
import type { AuthSession } from '../../src/auth';
import type { RandomSource } from '../../src/lifecycle/clock';
import type { Derived } from '../../src/lifecycle/readiness';
import { STATIC_REREAD_MS, Supervisor } from '../../src/lifecycle/supervisor';
import type { DynamicLease } from '../../src/lifecycle/vault-ops';
import { FakeClock, settle } from '../support/fake-clock';
import { FakeVault, type FakeVaultOptions } from '../support/fake-vault';

const SEC = 1_000;
const SPEC = { path: 'database/creds/app' };
const LONG = { tokenTtl: 360_000, tokenMaxTtl: 3_600_000, leaseTtl: 0, leaseMaxTtl: 0 };

interface Setup extends Partial<FakeVaultOptions> {
  refreshMs?: number | null;
  backoffBaseMs?: number;
  canRelogin?: boolean;
  random?: RandomSource;
  /** A token handed in (VAULT_TOKEN): its TTL unknown at start, no re-login. */
  handedIn?: boolean;
  /** Vault down when the supervisor starts. */
  downAtStart?: boolean;
  /** Leases held at start: `true` issues one from the fake Vault, a function issues its own. */
  leases?: DynamicLease[] | true | ((vault: FakeVault) => DynamicLease[]);
}

function setup(o: Setup = {}) {
  const clock = new FakeClock();
  const vault = new FakeVault(clock, { ...LONG, ...o });
  const logs: string[] = [];
  const push = (m: string) => void logs.push(m);
  const states: (Derived & { at: number })[] = [];
  const sessions: AuthSession[] = [];
  const commits: string[] = [];
  const leases =
    o.leases === true
      ? [vault.lease(SPEC)]
      : typeof o.leases === 'function'
        ? o.leases(vault)
        : (o.leases ?? []);
  const sup = new Supervisor(
    {
      clock,
      random: o.random ?? (() => 0.5),
      log: { debug: push, info: push, warn: push, error: push },
      backoffBaseMs: o.backoffBaseMs ?? SEC,
      ops: vault.ops,
      canRelogin: o.canRelogin ?? !o.handedIn,
      refreshIntervalMs: o.refreshMs ?? null,
      commitKv: () => void commits.push(`kv at ${clock.now() - t0}`),
      commitDynamic: (lease) =>
        void commits.push(`dynamic ${lease.leaseId || '(static)'} at ${clock.now() - t0}`),
      session: (s) => void sessions.push(s),
      readiness: (d) => void states.push({ ...d, at: clock.now() - t0 }),
    },
    o.handedIn ? { ...vault.session(), leaseDuration: 0 } : vault.session(),
  );
  const t0 = clock.now();
  vault.down = o.downAtStart ?? false;
  sup.start(leases);
  /** Calls as `op at <ms since start>`. */
  const calls = () => vault.calls.map((c) => `${c.op} at ${c.at - t0}`);
  const last = () => states.at(-1)!;
  return { clock, vault, sup, logs, states, sessions, commits, calls, last, t0 };
}

describe('log lines (exact)', () => {
  it('a failing token renewal: what failed, that the last good secrets are kept, and when it retries', async () => {
    const s = setup({ tokenTtl: 3_600, tokenMaxTtl: 36_000 });
    s.vault.down = true;
    await s.clock.advance(2_400 * SEC);
    const retryIn = s.clock.nextIn()!;
    expect(s.logs).toEqual([
      `[vault-config] token renewal failed (UNKNOWN); last good secrets kept, retrying in ${Math.round(retryIn / SEC)} s`.replace(
        '[vault-config] ',
        '',
      ),
    ]);
    expect(retryIn).toBeGreaterThanOrEqual(SEC);
    expect(s.last()).toMatchObject({ state: 'degraded', last_error: { code: 'UNKNOWN' } });
  });

  it('a refresh, a re-read, a lease renewal and new credentials each name themselves', async () => {
    const refresh = setup({ refreshMs: 60 * SEC });
    refresh.vault.down = true;
    await refresh.clock.advance(60 * SEC);
    expect(refresh.logs).toEqual(['refresh failed (UNKNOWN); last good secrets kept, retrying in 1 s']);

    const leased = setup({ leases: true, leaseTtl: 90, leaseMaxTtl: 900 });
    leased.vault.down = true;
    await leased.clock.advance(60 * SEC);
    expect(leased.logs).toEqual([
      'renewal of the lease of database/creds/app failed (UNKNOWN); last good secrets kept, retrying in 1 s',
    ]);

    const rotating = setup({ leases: true, leaseTtl: 90, leaseMaxTtl: 900, leaseRenewable: false });
    rotating.vault.down = true;
    await rotating.clock.advance(60 * SEC);
    expect(rotating.logs).toEqual([
      'new credentials for database/creds/app failed (UNKNOWN); last good secrets kept, retrying in 1 s',
    ]);

    const lease: DynamicLease = { ...leased.vault.lease(SPEC), leaseId: '', duration: 0, ttlSeconds: 60 };
    const reread = setup({ leases: [lease] });
    reread.vault.down = true;
    await reread.clock.advance(60 * SEC);
    expect(reread.logs).toEqual([
      're-read of database/creds/app failed (UNKNOWN); last good secrets kept, retrying in 1 s',
    ]);
  });

  it('a new login says why, and a failed one says so', async () => {
    // Renewed at 40 s for what the max TTL leaves (40 s, less than asked), replaced at 2/3 of that.
    const s = setup({ tokenTtl: 60, tokenMaxTtl: 80 });
    await s.clock.advance(40 * SEC);
    s.vault.down = true;
    await s.clock.advance(27 * SEC);
    expect(s.logs).toEqual([
      'logging in to Vault again (max-ttl)',
      'login failed (UNKNOWN); last good secrets kept, retrying in 1 s',
    ]);
    const notRenewable = setup({ tokenTtl: 60, tokenMaxTtl: 600, tokenRenewable: false });
    await notRenewable.clock.advance(40 * SEC);
    expect(notRenewable.logs).toEqual(['logging in to Vault again (not-renewable)']);
  });

  it('a lease that cannot be given back expires on its own, said once', async () => {
    const s = setup({ leases: true, leaseTtl: 90, leaseMaxTtl: 900 });
    s.vault.failRevoke = true;
    await s.sup.revoke(s.sup.stop()[0]!);
    expect(s.logs).toEqual([
      'could not revoke a lease of database/creds/app (UNKNOWN); it expires on its own',
    ]);
  });
});

describe('readiness names what expired', () => {
  it('the token: VAULT_TOKEN_EXPIRED, a VaultAuthenticationError, with the last failure', async () => {
    const s = setup({ tokenTtl: 60, tokenMaxTtl: 600 });
    s.vault.down = true;
    await s.clock.advance(60 * SEC);
    expect(s.last()).toMatchObject({
      state: 'failed',
      at: 60 * SEC,
      last_error: {
        name: 'VaultAuthenticationError',
        code: 'VAULT_TOKEN_EXPIRED',
        message: 'the token expired and has not been replaced yet (last failure: UNKNOWN): retrying',
      },
    });
  });

  it('a lease: VAULT_LEASE_FAILED, a VaultSecretError, naming its path', async () => {
    const s = setup({ leases: true, leaseTtl: 60, leaseMaxTtl: 600 });
    s.vault.down = true;
    await s.clock.advance(60 * SEC);
    expect(s.last()).toMatchObject({
      state: 'failed',
      at: 60 * SEC,
      last_error: {
        name: 'VaultSecretError',
        code: 'VAULT_LEASE_FAILED',
        message:
          'the lease of database/creds/app expired and has not been replaced yet (last failure: UNKNOWN): retrying',
      },
    });
  });

  it('a token without expiry (TTL 0) is looked up once, then ready for good with no timer', async () => {
    const s = setup({ tokenTtl: 0, tokenMaxTtl: 0 });
    expect(s.states.map((x) => x.state)).toEqual(s.states.map(() => 'ready'));
    await s.clock.advance(365 * 86_400 * SEC);
    expect(s.calls()).toEqual(['lookup-self at 0']);
    expect(s.clock.timers).toBe(0);
    expect(() => s.sup.stop()).not.toThrow();
    expect(s.clock.timers).toBe(0);
  });
});

describe('which requests, in which order', () => {
  it('a renewal refreshes the session: TTL as Vault granted it, from now', async () => {
    const s = setup({ tokenTtl: 3_600, tokenMaxTtl: 36_000 });
    await s.clock.advance(2_400 * SEC);
    expect(s.calls()).toEqual(['renew-self at 2400000']);
    expect(s.sessions.at(-1)).toMatchObject({ leaseDuration: 3_600, obtainedAt: s.t0 + 2_400 * SEC });
  });

  it('a token renewal refused with 403 logs in again at once; a 503 is retried instead', async () => {
    const refused = setup({ tokenTtl: 3_600, tokenMaxTtl: 36_000 });
    refused.vault.revokeTokens();
    await refused.clock.advance(2_400 * SEC);
    expect(refused.calls()).toEqual(['renew-self at 2400000', 'login at 2400000']);
    expect(refused.logs).toEqual(['logging in to Vault again (renew-refused)']);

    const down = setup({ tokenTtl: 3_600, tokenMaxTtl: 36_000 });
    down.vault.down = true;
    await down.clock.advance(2_400 * SEC);
    down.vault.down = false;
    await down.clock.advance(SEC);
    expect(down.calls()).toEqual(['renew-self at 2400000', 'renew-self at 2401000']);
    expect(down.last().state).toBe('ready');
  });

  it('a lease renewal refused with 400 fetches new credentials at once; a 503 retries the renewal', async () => {
    const refused = setup({ leases: true, leaseTtl: 90, leaseMaxTtl: 900 });
    const first = refused.vault.liveLeases()[0];
    refused.vault.refuseLeaseRenewal = true;
    await refused.clock.advance(60 * SEC);
    expect(refused.calls()).toEqual(['renew-lease at 60000', 'read-dynamic at 60000']);
    await refused.clock.advance(10 * SEC);
    expect(refused.calls().at(-1)).toBe(`revoke ${first} at 70000`);

    const down = setup({ leases: true, leaseTtl: 90, leaseMaxTtl: 900 });
    down.vault.down = true;
    await down.clock.advance(60 * SEC);
    down.vault.down = false;
    await down.clock.advance(SEC);
    expect(down.calls()).toEqual(['renew-lease at 60000', 'renew-lease at 61000']);
  });

  it('a refresh with a revoked token logs in once and reads again; without re-login it degrades', async () => {
    const s = setup({ refreshMs: 60 * SEC });
    s.vault.revokeTokens();
    await s.clock.advance(60 * SEC);
    expect(s.calls()).toEqual(['read-kv at 60000', 'login at 60000', 'read-kv at 60000']);
    expect(s.commits).toEqual(['kv at 60000']);
    expect(s.last().state).toBe('ready');

    const handed = setup({ refreshMs: 60 * SEC, canRelogin: false });
    handed.vault.revokeTokens();
    await handed.clock.advance(60 * SEC);
    expect(handed.calls()).toEqual(['read-kv at 60000']);
    expect(handed.last().state).toBe('degraded');
  });

  it('two requests refused at the same moment share one login', async () => {
    // Lease renewal at 2/3 of 90 s and the refresh at 60 s fall due together.
    const s = setup({ refreshMs: 60 * SEC, leases: true, leaseTtl: 90, leaseMaxTtl: 900 });
    s.vault.revokeTokens();
    s.vault.loginLatencyMs = SEC;
    await s.clock.advance(62 * SEC);
    // Both refused with the old token; the second waits for the login the first started.
    expect(s.calls()).toEqual([
      'read-kv at 60000',
      'login at 60000',
      'renew-lease at 60000',
      'read-kv at 61000',
      'renew-lease at 61000',
    ]);
    expect(s.last().state).toBe('ready');
  });

  it('a KV read that is not a 403 is not retried with a new login', async () => {
    const s = setup({ refreshMs: 60 * SEC });
    s.vault.down = true;
    await s.clock.advance(60 * SEC);
    expect(s.calls()).toEqual(['read-kv at 60000']);
  });
});

describe('a dynamic path without a lease', () => {
  const staticLease = (extra: Partial<DynamicLease>): DynamicLease => ({
    spec: SPEC,
    leaseId: '',
    duration: 0,
    renewable: false,
    expiresAt: 0,
    values: { DB_USER: 'static' },
    ...extra,
  });

  it('a ttl of 0 means none: re-read every 5 minutes, or at the refresh interval when one is set', async () => {
    const s = setup({ leases: [staticLease({ ttlSeconds: 0 })] });
    await s.clock.advance(STATIC_REREAD_MS);
    expect(s.calls()).toEqual([`read-dynamic at ${STATIC_REREAD_MS}`]);
    const r = setup({ leases: [staticLease({ ttlSeconds: 0 })], refreshMs: 120 * SEC });
    await r.clock.advance(120 * SEC);
    expect(r.calls()).toEqual(['read-kv at 120000', 'read-dynamic at 120000']);
  });

  it('a lease id with duration 0, or duration with no lease id, is treated as lease-less', async () => {
    for (const lease of [
      staticLease({ leaseId: 'x/1', duration: 0, ttlSeconds: 60 }),
      staticLease({ duration: 3600, ttlSeconds: 60 }),
    ]) {
      const s = setup({ leases: [lease], leaseless: { ttl: 60 } });
      await s.clock.advance(60 * SEC);
      expect(s.calls()).toEqual(['read-dynamic at 60000']);
      expect(s.last()).toMatchObject({ state: 'ready', last_error: null });
    }
  });

  it('when a re-read comes with a lease, a lease watcher takes over: renewals, no more re-reads', async () => {
    const o = { leaseless: { ttl: 60 } as { ttl?: number } | undefined, leaseTtl: 90, leaseMaxTtl: 900 };
    const s = setup({ leases: [staticLease({ ttlSeconds: 60 })], ...o });
    // From now on Vault issues leases: the fake reads its options object on each call.
    delete (s.vault as unknown as { o: FakeVaultOptions }).o.leaseless;
    await s.clock.advance(60 * SEC);
    expect(s.commits).toEqual([expect.stringMatching(/^dynamic database\/creds\/app\/l\d+ at 60000$/)]);
    await s.clock.advance(60 * SEC);
    expect(s.calls()).toEqual(['read-dynamic at 60000', 'renew-lease at 120000']);
  });

  it('a failed re-read degrades, the next success makes it ready again', async () => {
    const s = setup({ leases: [staticLease({ ttlSeconds: 60 })], leaseless: { ttl: 60 } });
    s.vault.down = true;
    await s.clock.advance(60 * SEC);
    expect(s.last().state).toBe('degraded');
    s.vault.down = false;
    await s.clock.advance(SEC);
    expect(s.last()).toMatchObject({ state: 'ready', last_error: null });
    expect(s.commits).toEqual(['dynamic (static) at 61000']);
  });
});

describe('stop()', () => {
  it('a refresh read in flight is not applied, and nothing is published after', async () => {
    const s = setup({ refreshMs: 60 * SEC });
    s.vault.kvLatencyMs = 2 * SEC;
    await s.clock.advance(61 * SEC);
    const published = s.states.length;
    s.sup.stop();
    await s.clock.advance(10 * SEC);
    expect(s.commits).toEqual([]);
    expect(s.states).toHaveLength(published);
    expect(s.calls()).toEqual(['read-kv at 60000']);
  });

  it('new credentials arriving after stop() are given back, not applied', async () => {
    const s = setup({ leases: true, leaseTtl: 90, leaseMaxTtl: 900, leaseRenewable: false });
    const first = s.vault.liveLeases()[0]!;
    s.vault.readLatencyMs = 2 * SEC;
    await s.clock.advance(61 * SEC);
    expect(s.sup.stop().map((l) => l.leaseId)).toEqual([first]);
    await s.clock.advance(2 * SEC);
    await settle();
    expect(s.commits).toEqual([]);
    const fresh = [...s.vault.leases.keys()].find((id) => id !== first)!;
    expect(s.calls()).toEqual(['read-dynamic at 60000', `revoke ${fresh} at 62000`]);
  });

  it('no watcher runs after stop(): no request for months', async () => {
    const s = setup({ refreshMs: 60 * SEC, leases: true, leaseTtl: 90, leaseMaxTtl: 900 });
    s.sup.stop();
    await s.clock.advance(90 * 86_400 * SEC);
    expect(s.calls()).toEqual([]);
    expect(s.clock.timers).toBe(0);
  });

  it('the token getter follows re-logins', async () => {
    const s = setup({ tokenTtl: 60, tokenMaxTtl: 600, tokenRenewable: false });
    const before = s.sup.token;
    await s.clock.advance(40 * SEC);
    expect(s.sup.token).not.toBe(before);
    expect(s.sup.token).toMatch(/^hvs\.t\d+$/);
  });
});

describe('re-login races and stops', () => {
  it('a request refused after a re-login already happened uses the new token, without another login', async () => {
    const s = setup({ refreshMs: 60 * SEC, leases: true, leaseTtl: 90, leaseMaxTtl: 900 });
    s.vault.kvLatencyMs = 2 * SEC;
    await s.clock.advance(59 * SEC);
    s.vault.revokeTokens();
    await s.clock.advance(5 * SEC);
    // The slow read was sent with the old token; the lease renewal logged in meanwhile.
    expect(s.calls()).toEqual([
      'read-kv at 60000',
      'renew-lease at 60000',
      'login at 60000',
      'renew-lease at 60000',
      'read-kv at 62000',
    ]);
    expect(s.commits).toEqual(['kv at 64000']);
  });

  it('a second revocation later needs, and gets, a second login', async () => {
    const s = setup({ refreshMs: 60 * SEC });
    s.vault.revokeTokens();
    await s.clock.advance(60 * SEC);
    s.vault.revokeTokens();
    await s.clock.advance(60 * SEC);
    expect(s.vault.count('login')).toBe(2);
    expect(s.commits).toEqual(['kv at 60000', 'kv at 120000']);
    expect(s.last().state).toBe('ready');
  });

  it('the token from a re-login is watched: renewed at 2/3 of its TTL', async () => {
    const s = setup({ refreshMs: 60 * SEC, tokenTtl: 3_600, tokenMaxTtl: 36_000 });
    s.vault.revokeTokens();
    await s.clock.advance(60 * SEC);
    await s.clock.advance(2_400 * SEC);
    expect(s.calls().filter((c) => c.startsWith('renew-self'))).toEqual(['renew-self at 2460000']);
  });

  it('stop() while a re-login is in flight: the new token is revoked, not watched, nothing follows', async () => {
    const s = setup({ refreshMs: 60 * SEC, tokenTtl: 3_600, tokenMaxTtl: 36_000 });
    const before = s.sup.token;
    s.vault.revokeTokens();
    s.vault.loginLatencyMs = SEC;
    await s.clock.advance(60_500);
    s.sup.stop();
    await s.clock.advance(10 * 3_600 * SEC);
    expect(s.calls()).toEqual([
      'read-kv at 60000',
      'login at 60000',
      expect.stringMatching(/^revoke-self hvs\.t\d+ at 61000$/),
    ]);
    expect(s.calls()[2]).not.toContain(before);
    expect(s.sup.token).toBe(before);
    expect(s.clock.timers).toBe(0);
  });

  it('stop() while a replacement login is in flight: its token is revoked, nothing else follows', async () => {
    const s = setup({ tokenTtl: 60, tokenMaxTtl: 600, tokenRenewable: false });
    s.vault.loginLatencyMs = 2 * SEC;
    await s.clock.advance(41 * SEC);
    s.sup.stop();
    await s.clock.advance(3_600 * SEC);
    expect(s.calls()).toEqual(['login at 40000', expect.stringMatching(/^revoke-self hvs\.t\d+ at 42000$/)]);
    expect(s.sessions).toHaveLength(1);
  });

  it('settled() waits for a login in flight and the give-back of its token', async () => {
    const s = setup({ tokenTtl: 60, tokenMaxTtl: 600, tokenRenewable: false });
    s.vault.loginLatencyMs = 2 * SEC;
    await s.clock.advance(41 * SEC);
    s.sup.stop();
    let settled = false;
    void s.sup.settled().then(() => (settled = true));
    await settle();
    expect(settled).toBe(false);
    await s.clock.advance(2 * SEC);
    await settle();
    expect(settled).toBe(true);
    expect(s.calls().at(-1)).toMatch(/^revoke-self hvs\.t\d+ at 42000$/);
  });

  it('settled() resolves at once when nothing is in flight', async () => {
    const s = setup();
    s.sup.stop();
    let settled = false;
    void s.sup.settled().then(() => (settled = true));
    await settle();
    expect(settled).toBe(true);
  });

  it('a late token that cannot be revoked is logged by code, never by value', async () => {
    const s = setup({ tokenTtl: 60, tokenMaxTtl: 600, tokenRenewable: false });
    s.vault.loginLatencyMs = 2 * SEC;
    await s.clock.advance(41 * SEC);
    s.sup.stop();
    s.vault.failRevoke = true;
    await s.clock.advance(2 * SEC);
    await settle();
    const line = s.logs.find((l) => l.startsWith('could not revoke a token'));
    expect(line).toBe('could not revoke a token obtained after stop (UNKNOWN); it expires at its TTL');
    expect(s.logs.join('\n')).not.toMatch(/hvs\./);
  });

  it('stop() while a lease-less path is being re-read: the answer is not applied', async () => {
    const lease: DynamicLease = {
      spec: SPEC,
      leaseId: '',
      duration: 0,
      renewable: false,
      expiresAt: 0,
      values: { DB_USER: 'static' },
      ttlSeconds: 60,
    };
    const s = setup({ leases: [lease], leaseless: { ttl: 60 } });
    s.vault.readLatencyMs = 2 * SEC;
    await s.clock.advance(61 * SEC);
    s.sup.stop();
    await s.clock.advance(10 * SEC);
    expect(s.commits).toEqual([]);
  });
});

describe('several things held at once', () => {
  it('two dynamic paths are watched apart: each lease renewed on its own schedule', async () => {
    const other = { path: 'aws/creds/app' };
    const s = setup({
      leases: (vault) => [vault.lease(SPEC), vault.lease(other)],
      leaseTtl: 90,
      leaseMaxTtl: 900,
    });
    await s.clock.advance(60 * SEC);
    expect(s.calls()).toEqual(['renew-lease at 60000', 'renew-lease at 60000']);
  });

  it('a leased path that comes back lease-less stops expiring: still ready after the old expiry', async () => {
    const s = setup({ leases: true, leaseTtl: 90, leaseMaxTtl: 900, leaseRenewable: false });
    (s.vault as unknown as { o: FakeVaultOptions }).o.leaseless = { ttl: 600 };
    await s.clock.advance(120 * SEC);
    expect(s.calls()).toEqual([
      'read-dynamic at 60000',
      expect.stringMatching(/^revoke database\/creds\/app\/l\d+ at 70000$/),
    ]);
    expect(s.last()).toMatchObject({ state: 'ready', last_error: null });
  });

  it('the backoff of a lease-less re-read starts from the host’s base when it is above the floor', async () => {
    const lease: DynamicLease = {
      spec: SPEC,
      leaseId: '',
      duration: 0,
      renewable: false,
      expiresAt: 0,
      values: {},
      ttlSeconds: 60,
    };
    const s = setup({ leases: [lease], leaseless: { ttl: 60 }, backoffBaseMs: 5 * SEC });
    s.vault.down = true;
    await s.clock.advance(60 * SEC);
    // 5 s × (0.5 + 0.5 / 2) = 3.75 s.
    expect(s.logs).toEqual([
      're-read of database/creds/app failed (UNKNOWN); last good secrets kept, retrying in 4 s',
    ]);
    expect(s.clock.nextIn()).toBe(3_750);
  });
});

describe('a token handed in (VAULT_TOKEN)', () => {
  it('its TTL is looked up once, then it is renewed like ours', async () => {
    const s = setup({ handedIn: true, tokenTtl: 3_600, tokenMaxTtl: 36_000 });
    await s.clock.advance(2_400 * SEC);
    expect(s.calls()).toEqual(['lookup-self at 0', 'renew-self at 2400000']);
  });

  it('one that cannot be renewed is never replaced by a login: a warning names when it stops', async () => {
    const s = setup({ handedIn: true, tokenTtl: 60, tokenMaxTtl: 600, tokenRenewable: false });
    await s.clock.advance(50 * SEC);
    expect(s.calls()).toEqual(['lookup-self at 0']);
    expect(s.logs).toEqual([
      `the token handed in (VAULT_TOKEN) cannot be renewed further (not-renewable); it stops working at ${new Date(s.t0 + 60 * SEC).toISOString()}: provide a new one`,
    ]);
    await s.clock.advance(10 * SEC);
    expect(s.last()).toMatchObject({ state: 'failed', last_error: { code: 'VAULT_TOKEN_EXPIRED' } });
  });

  it('a failed lookup is said once and leaves it unwatched', async () => {
    const s = setup({ handedIn: true, tokenTtl: 3_600, tokenMaxTtl: 36_000, downAtStart: true });
    await s.clock.advance(3_000 * SEC);
    expect(s.calls()).toEqual(['lookup-self at 0']);
    expect(s.logs).toEqual(["could not look up the token's TTL (UNKNOWN); it will not be renewed"]);
  });
});
