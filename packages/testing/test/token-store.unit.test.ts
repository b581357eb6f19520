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
  it('a TTL is capped by the least of the explicit max, the role max and the system max', () => {
    const store = new TokenStore();
    // vault: token-ttl-limits
    expect(store.create({ policies: [], ttl: 600, explicitMaxTtl: 60 }).creationTtl).toBe(60);
    expect(store.create({ policies: [], ttl: 600, maxTtl: 120 }).creationTtl).toBe(120);
    expect(store.create({ policies: [], ttl: 600, maxTtl: 120, explicitMaxTtl: 300 }).creationTtl).toBe(120);
    expect(store.create({ policies: [], ttl: 600, maxTtl: 300, explicitMaxTtl: 90 }).creationTtl).toBe(90);
    expect(store.create({ policies: [], ttl: 30, maxTtl: 300, explicitMaxTtl: 90 })).toMatchObject({
      creationTtl: 30,
      maxExpiresAt: T0 + 90_000,
      explicitMaxTtl: 90,
    });
    // An explicit max above the system max does not lift it.
    const big = store.create({ policies: [], ttl: SYSTEM_MAX_TTL + 10, explicitMaxTtl: SYSTEM_MAX_TTL * 2 });
    expect(big).toMatchObject({ creationTtl: SYSTEM_MAX_TTL, maxExpiresAt: T0 + SYSTEM_MAX_TTL * 1000 });
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
      entityId: '',
      explicitMaxTtl: 0,
      createdAt: T0,
      lastRenewal: null,
      expiresAt: T0 + 60_000,
    });
    expect(store.create({ policies: [], ttl: 60 })).not.toHaveProperty('role');
  });

  it('create keeps what it is given; ids and accessors are new each time', () => {
    const store = new TokenStore();
    const t = store.create({
      id: 'hvs.given',
      policies: ['a', 'default'],
      ttl: 60,
      renewable: false,
      numUses: 3,
      meta: { k: 'v' },
      displayName: 'kubernetes-ns-sa',
      path: 'auth/kubernetes/login',
      orphan: true,
      entityId: 'e-1',
      role: { mount: 'kubernetes', name: 'dev' },
    });
    expect(t).toMatchObject({
      id: 'hvs.given',
      policies: ['a', 'default'],
      renewable: false,
      numUses: 3,
      meta: { k: 'v' },
      displayName: 'kubernetes-ns-sa',
      path: 'auth/kubernetes/login',
      orphan: true,
      entityId: 'e-1',
      role: { mount: 'kubernetes', name: 'dev' },
    });
    expect(store.get('hvs.given')).toBe(t);
    const a = store.create({ policies: [], ttl: 60 });
    const b = store.create({ policies: [], ttl: 60 });
    expect(a.id).toMatch(/^hvs\.[0-9A-Za-z]{24}$/);
    expect(a.accessor).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.accessor).not.toBe(b.accessor);
  });

  it('a token lives until exactly its TTL', () => {
    const store = new TokenStore();
    const t = store.create({ policies: [], ttl: 60 });
    expect(store.ttlOf(t)).toBe(60);
    vi.setSystemTime(T0 + 59_400);
    expect(store.ttlOf(t)).toBe(1);
    vi.setSystemTime(T0 + 59_999);
    expect(store.get(t.id)).toBe(t);
    expect(store.ttlOf(t)).toBe(0);
    vi.setSystemTime(T0 + 60_000);
    expect(store.get(t.id)).toBeUndefined();
    // Dropped, not only hidden: turning the clock back does not bring it back.
    vi.setSystemTime(T0);
    expect(store.get(t.id)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
    expect(store.get('')).toBeUndefined();
    expect(store.get('hvs.unknown')).toBeUndefined();
    const root = store.create({ policies: ['root'], ttl: 0 });
    vi.setSystemTime(T0 + 10 * SYSTEM_MAX_TTL * 1000);
    expect(store.get(root.id)).toBe(root);
    expect(store.ttlOf(root)).toBe(0);
  });

  it('ttlOf never goes below 0; lookup times are whole seconds rounded down', () => {
    vi.setSystemTime(T0 + 1_700);
    const store = new TokenStore();
    const t = store.create({ policies: [], ttl: 60 });
    vi.setSystemTime(T0 + 120_000);
    expect(store.ttlOf(t)).toBe(0);
    vi.setSystemTime(T0 + 12_900);
    store.renew(t, 60);
    expect(store.lookupData(t)).toMatchObject({
      creation_time: Math.floor(T0 / 1000) + 1,
      last_renewal_time: Math.floor(T0 / 1000) + 12,
    });
  });

  it('renew: the increment asked, capped at the max TTL with Vault’s warning', () => {
    const store = new TokenStore();
    const t = store.create({ policies: [], ttl: 60, explicitMaxTtl: 100 });
    vi.setSystemTime(T0 + 30_000);
    // vault: token-ttl-limits
    expect(store.renew(t, 50)).toEqual({ ttl: 50 });
    expect(t).toMatchObject({ expiresAt: T0 + 80_000, lastRenewal: T0 + 30_000 });
    expect(store.renew(t, 70)).toEqual({ ttl: 70 });
    expect(store.renew(t, 71)).toEqual({
      ttl: 70,
      warning: 'TTL of "1m11s" exceeded the effective max_ttl of "1m10s"; TTL value is capped accordingly',
    });
    expect(t.expiresAt).toBe(T0 + 100_000);
    vi.setSystemTime(T0 + 200_000);
    expect(store.renew(t, 10)).toMatchObject({ ttl: 0 });
    const root = store.create({ policies: ['root'], ttl: 0 });
    expect(store.renew(root, 10_000_000)).toEqual({ ttl: 10_000_000 });
  });

  it('renew without an increment: a token-store token asks its last grant again, a login token its role’s TTL', () => {
    const store = new TokenStore();
    // vault: token-renew-default
    const t = store.create({ policies: [], ttl: 60 });
    expect(store.renew(t, 0)).toEqual({ ttl: 60 });
    expect(store.renew(t, 30)).toEqual({ ttl: 30 });
    expect(store.renew(t, 0)).toEqual({ ttl: 30 });
    expect(store.renew(t, undefined)).toEqual({ ttl: 30 });
    expect(store.renew(t, -5)).toEqual({ ttl: 30 });
    expect(t.creationTtl).toBe(60);
    const login = store.create({ policies: [], ttl: 60, path: 'auth/kubernetes/login' });
    expect(store.renew(login, 30)).toEqual({ ttl: 30 });
    expect(store.renew(login, 0)).toEqual({ ttl: 60 });
  });

  it('what is left before the max TTL counts whole seconds from the issue time, both truncated', () => {
    // vault: token-ttl-limits
    vi.setSystemTime(T0 + 200);
    const store = new TokenStore();
    const t = store.create({ policies: [], ttl: 60, explicitMaxTtl: 100 });
    // 30.7 s later: Vault counts (T0 + 100) − (T0 + 30) = 70 s, not 69.5 s rounded down.
    vi.setSystemTime(T0 + 30_700);
    expect(store.renew(t, 100)).toEqual({
      ttl: 70,
      warning: 'TTL of "1m40s" exceeded the effective max_ttl of "1m10s"; TTL value is capped accordingly',
    });
    vi.setSystemTime(T0 + 31_000);
    expect(store.renew(t, 100).ttl).toBe(69);
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
    // Revoking what is not there is nothing.
    expect(() => store.revoke('hvs.unknown')).not.toThrow();
    const once = store.create({ policies: [], ttl: 60, numUses: 1 });
    store.use(once);
    expect(once.numUses).toBe(0);
    expect(store.get(once.id)).toBeUndefined();
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
    // vault: token-lookup-self
    expect(store.lookupData(t)).toEqual({
      accessor: t.accessor,
      creation_time: Math.floor(T0 / 1000),
      creation_ttl: 60,
      display_name: 'token',
      entity_id: '',
      expire_time: '2026-01-01T00:01:10.000000000Z',
      explicit_max_ttl: 0,
      id: t.id,
      issue_time: '2026-01-01T00:00:00.000000000Z',
      last_renewal: '2026-01-01T00:00:10.000000000Z',
      last_renewal_time: Math.floor(T0 / 1000) + 10,
      meta: null,
      num_uses: 0,
      orphan: false,
      path: 'auth/token/create',
      policies: ['default'],
      renewable: true,
      role: 'dev',
      ttl: 60,
      type: 'service',
    });
    // vault: kubernetes-login
    expect(store.authBlock(t)).toEqual({
      client_token: t.id,
      accessor: t.accessor,
      policies: ['default'],
      token_policies: ['default'],
      metadata: null,
      lease_duration: 60,
      renewable: true,
      entity_id: '',
      token_type: 'service',
      orphan: false,
      mfa_requirement: null,
      num_uses: 0,
    });
    expect(store.authBlock(t, 5).lease_duration).toBe(5);
  });
});
