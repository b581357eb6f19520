/**
 * The supervisor on the fake clock against Vault's lease rules (test/support/fake-vault.ts): each
 * scenario that breaks a naive lifecycle in production, run over days or months of fake time.
 */
import { describe, expect, it } from 'vitest';
import { VaultSecretError } from '../../src/errors';
import type { RandomSource } from '../../src/lifecycle/clock';
import type { Derived } from '../../src/lifecycle/readiness';
import type { Handover } from '../../src/lifecycle/rotation-handover';
import { Supervisor } from '../../src/lifecycle/supervisor';
import { MIN_BACKOFF_MS } from '../../src/lifecycle/timing';
import type { DynamicLease } from '../../src/lifecycle/vault-ops';
import { createLogger } from '../../src/logger';
import { FakeClock, settle } from '../support/fake-clock';
import { FakeVault, type FakeVaultOptions } from '../support/fake-vault';

const SEC = 1_000;
const HOUR = 3_600 * SEC;
const DAY = 24 * HOUR;
const SPEC = { path: 'database/creds/app' };

interface World {
  clock: FakeClock;
  vault: FakeVault;
  sup: Supervisor;
  states: { state: Derived['state']; code: string | null; at: number }[];
  state(): Derived['state'];
  values: Record<string, string>;
  rotations: { lease: DynamicLease; handover: Handover | null }[];
  /** Requests per op in the busiest one-second window. */
  busiestSecond(): number;
}

function world(
  o: FakeVaultOptions & {
    refreshMs?: number | null;
    dynamic?: boolean;
    random?: RandomSource;
    required?: string[];
    onRotation?: (handover: Handover | null) => void;
    /** A token handed in (token auth): no login, its TTL unknown until looked up. */
    tokenAuth?: boolean;
  },
): World {
  const clock = new FakeClock();
  const vault = new FakeVault(clock, o);
  const states: World['states'] = [];
  const values: Record<string, string> = {};
  const rotations: World['rotations'] = [];
  const leases = o.dynamic ? [vault.lease(SPEC)] : [];
  for (const l of leases) Object.assign(values, l.values);
  const sup = new Supervisor(
    {
      clock,
      random: o.random ?? (() => 0.5),
      log: createLogger(false),
      backoffBaseMs: SEC,
      ops: o.tokenAuth ? vault.ops : { ...vault.ops, lookupToken: undefined },
      canRelogin: !o.tokenAuth,
      refreshIntervalMs: o.refreshMs ?? null,
      commitKv: (kv) => {
        const missing = (o.required ?? []).filter((k) => !(k in kv));
        if (missing.length)
          throw new VaultSecretError('VAULT_REQUIRED_KEYS_MISSING', `missing ${missing.join(',')}`);
        Object.assign(values, kv);
      },
      commitDynamic: (lease, handover) => {
        Object.assign(values, lease.values);
        rotations.push({ lease, handover });
        o.onRotation?.(handover);
      },
      session: () => undefined,
      readiness: (d) => {
        const last = states.at(-1);
        if (!last || last.state !== d.state || last.code !== (d.last_error?.code ?? null))
          states.push({ state: d.state, code: d.last_error?.code ?? null, at: clock.now() });
      },
    },
    o.tokenAuth ? { ...vault.session(), leaseDuration: 0, renewable: false } : vault.session(),
  );
  sup.start(leases);
  return {
    clock,
    vault,
    sup,
    states,
    values,
    rotations,
    state: () => states.at(-1)!.state,
    busiestSecond() {
      const times = vault.calls.map((c) => c.at).sort((a, b) => a - b);
      let max = 0;
      for (let i = 0, j = 0; j < times.length; j += 1) {
        while (times[j]! - times[i]! >= SEC) i += 1;
        max = Math.max(max, j - i + 1);
      }
      return max;
    },
  };
}

describe('long lifetimes: Vault’s 768 h default lease and a 30-day refresh', () => {
  it('sets no timer due within the first second and makes a handful of calls in three months', async () => {
    const w = world({
      tokenTtl: 768 * 3600,
      tokenMaxTtl: 768 * 3600 * 10,
      leaseTtl: 768 * 3600,
      leaseMaxTtl: 768 * 3600 * 10,
      dynamic: true,
      refreshMs: 30 * DAY,
    });
    expect(w.clock.nextIn()).toBeGreaterThan(SEC);
    await w.clock.advance(SEC);
    expect(w.vault.calls).toEqual([]);
    await w.clock.advance(90 * DAY);
    // Token and lease renewed at 512 h, 1024 h, 1536 h, 2048 h; refresh every 30 days ± 10 %.
    expect(w.vault.count('renew-self')).toBe(4);
    expect(w.vault.count('renew-lease')).toBe(4);
    expect(w.vault.count('read-kv')).toBe(3);
    expect(w.vault.count('login')).toBe(0);
    expect(w.state()).toBe('ready');
    w.sup.stop();
  });
});

describe('a dynamic path without a lease (static credentials, a KV path)', () => {
  const base = { tokenTtl: 0, tokenMaxTtl: 0, leaseTtl: 0, leaseMaxTtl: 0, dynamic: true };

  it('is re-read at its ttl, never renewed, and never revokes lease ""', async () => {
    const w = world({ ...base, leaseless: { ttl: 3600 } });
    await w.clock.advance(10 * HOUR);
    expect(w.vault.count('read-dynamic')).toBeGreaterThanOrEqual(9);
    expect(w.vault.count('read-dynamic')).toBeLessThanOrEqual(11);
    expect(w.vault.calls.filter((c) => c.op.startsWith('revoke') || c.op === 'renew-lease')).toEqual([]);
    expect(w.state()).toBe('ready');
  });

  it('without a ttl, every 5 minutes; with a ttl of 1 s, no more often than every 10 s', async () => {
    const none = world({ ...base, leaseless: {} });
    await none.clock.advance(HOUR);
    expect(none.vault.count('read-dynamic')).toBeGreaterThanOrEqual(11);
    expect(none.vault.count('read-dynamic')).toBeLessThanOrEqual(13);
    const tiny = world({ ...base, leaseless: { ttl: 1 } });
    await tiny.clock.advance(HOUR);
    expect(tiny.vault.count('read-dynamic')).toBeLessThanOrEqual(400);
    expect(tiny.busiestSecond()).toBe(1);
  });
});

describe('an outage three times longer than a lease', () => {
  it('goes failed at the lease’s expiry, keeps trying with a floor, and ends ready with fresh credentials', async () => {
    const w = world({ tokenTtl: 3600, tokenMaxTtl: 7200, leaseTtl: 60, leaseMaxTtl: 600, dynamic: true });
    const firstUser = w.values.DB_USER;
    w.vault.down = true;
    await w.clock.advance(180 * SEC);
    expect(w.state()).toBe('failed');
    const failedAt = w.states.find((s) => s.state === 'failed')!.at;
    expect(failedAt - w.states[0]!.at).toBe(60 * SEC); // exactly at the lease's expiry
    expect(w.states.map((s) => s.state)).toEqual(['ready', 'degraded', 'failed']);
    w.vault.down = false;
    await w.clock.advance(2 * 60 * SEC);
    expect(w.state()).toBe('ready');
    expect(w.values.DB_USER).not.toBe(firstUser);
    expect(w.vault.liveLeases()).toEqual([w.rotations.at(-1)!.lease.leaseId]);
    expect(w.busiestSecond()).toBeLessThanOrEqual(3);
  });

  it('after the expiry, attempts are at least the backoff floor apart (no zero-delay retries)', async () => {
    const w = world({
      tokenTtl: 3600,
      tokenMaxTtl: 7200,
      leaseTtl: 3,
      leaseMaxTtl: 600,
      dynamic: true,
      random: () => 0,
    });
    w.vault.down = true;
    await w.clock.advance(10 * 60 * SEC);
    const at = (op: string) => w.vault.calls.filter((c) => c.op === op).map((c) => c.at);
    for (const op of ['renew-lease', 'read-dynamic']) {
      const times = at(op);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(Math.min(...gaps), op).toBeGreaterThanOrEqual(MIN_BACKOFF_MS);
    }
    const attempts = [...at('renew-lease'), ...at('read-dynamic')].sort((a, b) => a - b);
    // Capped backoff: still trying at the end of ten minutes, about once a minute.
    expect(attempts.at(-1)!).toBeGreaterThan(w.clock.now() - 61 * SEC);
    expect(attempts.length).toBeLessThan(30);
  });

  it('a token that expires during the outage is replaced by a new login once Vault is back', async () => {
    const w = world({
      tokenTtl: 30,
      tokenMaxTtl: 600,
      leaseTtl: 3600,
      leaseMaxTtl: 7200,
      dynamic: true,
      refreshMs: 60 * SEC,
    });
    w.vault.down = true;
    await w.clock.advance(120 * SEC);
    expect(w.state()).toBe('failed');
    expect(w.states.at(-1)!.code).toBe('VAULT_TOKEN_EXPIRED');
    w.vault.down = false;
    await w.clock.advance(90 * SEC);
    expect(w.vault.count('login')).toBeGreaterThanOrEqual(1);
    expect(w.state()).toBe('ready');
  });
});

describe('a slow rotation', () => {
  it('renewal refused, Vault takes 1.5 s, the lease expires meanwhile: failed, then ready when they arrive', async () => {
    const w = world({ tokenTtl: 3600, tokenMaxTtl: 7200, leaseTtl: 2, leaseMaxTtl: 60, dynamic: true });
    w.vault.refuseLeaseRenewal = true;
    w.vault.readLatencyMs = 1_500;
    await w.clock.advance(10 * SEC);
    expect(w.states.map((s) => s.state)).toContain('failed');
    const rotatedAt = w.rotations[0]!;
    expect(rotatedAt).toBeDefined();
    // After the first rotation, the next one comes before expiry; the state ends ready.
    w.vault.refuseLeaseRenewal = false;
    w.vault.readLatencyMs = 0;
    await w.clock.advance(10 * SEC);
    expect(w.state()).toBe('ready');
  });
});

describe('validate, then commit', () => {
  it('a refresh that would drop a required key is not applied: degraded with its code, then recovers', async () => {
    const w = world({
      tokenTtl: 3600,
      tokenMaxTtl: 7200,
      leaseTtl: 0,
      leaseMaxTtl: 0,
      refreshMs: 60 * SEC,
      required: ['DATABASE_URL'],
    });
    Object.assign(w.values, w.vault.kv);
    w.vault.kv = { API_KEY: 'k2' };
    await w.clock.advance(70 * SEC);
    expect(w.state()).toBe('degraded');
    expect(w.states.at(-1)!.code).toBe('VAULT_REQUIRED_KEYS_MISSING');
    expect(w.values.API_KEY).toBe('k1');
    w.vault.kv = { API_KEY: 'k3', DATABASE_URL: 'postgres://db2' };
    await w.clock.advance(70 * SEC);
    expect(w.state()).toBe('ready');
    expect(w.values.API_KEY).toBe('k3');
  });
});

describe('a fleet started in the same second', () => {
  it('spreads its token renewals over at least 20 % of the TTL', async () => {
    let seed = 42;
    // mulberry32: a small seeded PRNG, so the spread is the same on every run.
    const prng = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const firsts: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const w = world({ tokenTtl: 3600, tokenMaxTtl: 36_000, leaseTtl: 0, leaseMaxTtl: 0, random: prng });
      firsts.push(w.clock.nextIn()!);
      w.sup.stop();
    }
    const spread = Math.max(...firsts) - Math.min(...firsts);
    expect(spread / HOUR).toBeGreaterThanOrEqual(0.2);
  });
});

describe('the token', () => {
  it('is renewed with renew-self while it can be, then replaced by a login at its max TTL', async () => {
    const w = world({ tokenTtl: 3600, tokenMaxTtl: 3 * 3600, leaseTtl: 0, leaseMaxTtl: 0 });
    await w.clock.advance(3 * HOUR);
    expect(w.vault.count('renew-self')).toBeGreaterThanOrEqual(2);
    expect(w.vault.count('login')).toBe(1);
    expect(w.state()).toBe('ready');
  });

  it('a token that is not renewable is replaced by a login at about 2/3 of its TTL', async () => {
    const w = world({
      tokenTtl: 3600,
      tokenMaxTtl: 3600,
      tokenRenewable: false,
      leaseTtl: 0,
      leaseMaxTtl: 0,
    });
    await w.clock.advance(HOUR);
    expect(w.vault.calls).toEqual([{ op: 'login', at: w.states[0]!.at + (2 / 3) * HOUR }]);
  });
});

describe('rotation hand-over', () => {
  // Renewed at 80 s for 100 s (capped by the max TTL), replaced at 146.7 s with 33.3 s left.
  const opts = { tokenTtl: 36_000, tokenMaxTtl: 72_000, leaseTtl: 120, leaseMaxTtl: 180, dynamic: true };

  it('without a retainer, the old lease is revoked after the grace (≤ 10 s)', async () => {
    const w = world(opts);
    const first = w.vault.liveLeases()[0]!;
    await w.clock.advance(160 * SEC);
    const rotated = w.vault.calls.find((c) => c.op === 'read-dynamic')!.at;
    const revoked = w.vault.calls.find((c) => c.op === `revoke ${first}`)!.at;
    expect(revoked - rotated).toBe(10 * SEC);
  });

  it('a retainer keeps the old lease until it releases it', async () => {
    let release: (() => void) | undefined;
    const w = world({ ...opts, onRotation: (h) => (release = h?.retain()) });
    const first = w.vault.liveLeases()[0]!;
    await w.clock.advance(160 * SEC);
    expect(w.rotations).toHaveLength(1);
    expect(w.vault.count(`revoke ${first}`)).toBe(0);
    release!();
    await settle();
    expect(w.vault.count(`revoke ${first}`)).toBe(1);
  });

  it('a retainer that never releases does not keep the lease past its expiry, nor get it revoked', async () => {
    const w = world({ ...opts, onRotation: (h) => void h?.retain() });
    const first = w.vault.liveLeases()[0]!;
    await w.clock.advance(190 * SEC);
    expect(w.vault.count(`revoke ${first}`)).toBe(0);
    expect(w.sup.stop().map((l) => l.leaseId)).not.toContain(first);
  });

  it('stop() hands back the current lease and the ones still retained', async () => {
    const w = world({ ...opts, onRotation: (h) => void h?.retain() });
    const first = w.vault.liveLeases()[0]!;
    await w.clock.advance(160 * SEC);
    const held = w.sup.stop().map((l) => l.leaseId);
    expect(held).toHaveLength(2);
    expect(held).toContain(first);
    expect(w.clock.timers).toBe(0);
  });
});

describe('a token handed in (token auth)', () => {
  it('is looked up once, then renewed like ours', async () => {
    const w = world({
      tokenTtl: 3600,
      tokenMaxTtl: 10 * 3600,
      leaseTtl: 0,
      leaseMaxTtl: 0,
      tokenAuth: true,
      refreshMs: HOUR,
    });
    await w.clock.advance(3 * HOUR);
    expect(w.vault.count('lookup-self')).toBe(1);
    expect(w.vault.count('renew-self')).toBeGreaterThanOrEqual(3);
    expect(w.vault.count('login')).toBe(0);
    expect(w.state()).toBe('ready');
  });

  it('is never replaced by a login: at its max TTL readiness goes down with VAULT_TOKEN_EXPIRED', async () => {
    const w = world({
      tokenTtl: 3600,
      tokenMaxTtl: 2 * 3600,
      leaseTtl: 0,
      leaseMaxTtl: 0,
      tokenAuth: true,
      refreshMs: HOUR,
    });
    await w.clock.advance(3 * HOUR);
    expect(w.vault.count('login')).toBe(0);
    expect(w.states.at(-1)).toMatchObject({ state: 'failed', code: 'VAULT_TOKEN_EXPIRED' });
  });
});
