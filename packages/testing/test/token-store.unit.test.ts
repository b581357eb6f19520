/**
 * The dev server's token store on a fixed clock: TTLs capped by max TTLs, renewals capped with
 * Vault's warning (vault/token_store.go, sdk/framework lease calculation: "TTL of ... exceeded the
 * effective max_ttl of ..."), expiry at exactly the TTL, use counts, and the lookup-self shape
 * (https://developer.hashicorp.com/vault/api-docs/auth/token#lookup-a-token-self).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenStore, sanitizePolicies } from '../src/token-store';
import { SYSTEM_MAX_TTL } from '../src/util';

const T0 = Date.UTC(2026, 0, 1);
beforeEach(() => {
  vi.useFakeTimers({ now: T0, toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('sanitizePolicies', () => {
  it('trims, drops empties, adds default, sorts; root alone stays root', () => {
    expect(sanitizePolicies([' b ', '', 'a'])).toEqual(['a', 'b', 'default']);
    expect(sanitizePolicies(['b', 'a'], false)).toEqual(['a', 'b']);
    expect(sanitizePolicies(['x', 'root'])).toEqual(['root']);
    expect(sanitizePolicies([' '], false)).toEqual([]);
  });
});

describe('TokenStore', () => {
  it('a TTL is capped by the explicit max TTL, else the max TTL, else the system max', () => {
    const store = new TokenStore();
    expect(store.create({ policies: [], ttl: 600, explicitMaxTtl: 60 }).creationTtl).toBe(60);
    expect(store.create({ policies: [], ttl: 600, maxTtl: 120 }).creationTtl).toBe(120);
    const plain = store.create({ policies: [], ttl: SYSTEM_MAX_TTL + 10 });
    expect(plain.creationTtl).toBe(SYSTEM_MAX_TTL);
    expect(plain.maxExpiresAt).toBe(T0 + SYSTEM_MAX_TTL * 1000);
    const root = store.create({ policies: ['root'], ttl: 0 });
    expect(root).toMatchObject({ creationTtl: 0, expiresAt: null, maxExpiresAt: null, renewable: false });
    expect(store.create({ policies: [], ttl: 60 })).toMatchObject({
      path: 'auth/token/create',
      displayName: 'token',
      renewable: true,
      numUses: 0,
      orphan: false,
      meta: null,
      expiresAt: T0 + 60_000,
    });
  });

  it('a token lives until exactly its TTL', () => {
    const store = new TokenStore();
    const t = store.create({ policies: [], ttl: 60 });
    vi.setSystemTime(T0 + 59_999);
    expect(store.get(t.id)).toBe(t);
    expect(store.ttlOf(t)).toBe(0);
    vi.setSystemTime(T0 + 60_000);
    expect(store.get(t.id)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
    expect(store.get('hvs.unknown')).toBeUndefined();
  });

  it('renew: the increment asked, else the creation TTL; capped at the max TTL with Vault’s warning', () => {
    const store = new TokenStore();
    const t = store.create({ policies: [], ttl: 60, explicitMaxTtl: 100 });
    vi.setSystemTime(T0 + 30_000);
    expect(store.renew(t, 50)).toEqual({ ttl: 50 });
    expect(t).toMatchObject({ expiresAt: T0 + 80_000, lastRenewal: T0 + 30_000 });
    expect(store.renew(t, 0)).toEqual({ ttl: 60 });
    expect(store.renew(t, undefined)).toEqual({ ttl: 60 });
    expect(store.renew(t, 70)).toEqual({ ttl: 70 });
    expect(store.renew(t, 71)).toEqual({
      ttl: 70,
      warning: 'TTL of "1m11s" exceeded the effective max_ttl of "1m10s"; TTL value is capped accordingly',
    });
    vi.setSystemTime(T0 + 200_000);
    expect(store.renew(t, 10)).toMatchObject({ ttl: 0 });
    const root = store.create({ policies: ['root'], ttl: 0 });
    expect(store.renew(root, 10_000_000)).toEqual({ ttl: 10_000_000 });
  });

  it('use() counts down and removes at zero; unlimited tokens are untouched; revoke removes', () => {
    const store = new TokenStore();
    const twice = store.create({ policies: [], ttl: 60, numUses: 2 });
    store.use(twice);
    expect(store.get(twice.id)?.numUses).toBe(1);
    store.use(twice);
    expect(store.get(twice.id)).toBeUndefined();
    const free = store.create({ policies: [], ttl: 60 });
    store.use(free);
    expect(store.get(free.id)?.numUses).toBe(0);
    store.revoke(free.id);
    expect(store.get(free.id)).toBeUndefined();
  });

  it('lookup-self data: times in seconds and RFC 3339 with nanoseconds as Go prints them, last renewal only once renewed, the role when any', () => {
    const store = new TokenStore();
    const t = store.create({ policies: ['default'], ttl: 60, role: { mount: 'kubernetes', name: 'dev' } });
    const before = store.lookupData(t);
    expect(before).toMatchObject({
      creation_time: Math.floor(T0 / 1000),
      creation_ttl: 60,
      expire_time: '2026-01-01T00:01:00.000000000Z',
      issue_time: '2026-01-01T00:00:00.000000000Z',
      role: 'dev',
      ttl: 60,
      type: 'service',
    });
    expect(before).not.toHaveProperty('last_renewal');
    vi.setSystemTime(T0 + 10_000);
    store.renew(t, 60);
    expect(store.lookupData(t)).toMatchObject({
      last_renewal: '2026-01-01T00:00:10.000000000Z',
      last_renewal_time: Math.floor(T0 / 1000) + 10,
      ttl: 60,
    });
    const root = store.create({ policies: ['root'], ttl: 0 });
    expect(store.lookupData(root)).toMatchObject({ expire_time: null, ttl: 0 });
    expect(store.lookupData(root)).not.toHaveProperty('role');
    expect(store.authBlock(t)).toMatchObject({
      client_token: t.id,
      lease_duration: 60,
      token_type: 'service',
    });
    expect(store.authBlock(t, 5).lease_duration).toBe(5);
  });
});
