/** Readiness derived from what is held: situation → state → last_error. */
import { describe, expect, it } from 'vitest';
import { deriveReadiness, nextExpiry, withConsumerErrors, type Held } from '../../src/lifecycle/readiness';
import { isReady } from '../../src/types';

const NOW = Date.UTC(2026, 5, 1);
const err = (code: string, secondsAgo = 0) => ({
  name: 'VaultSecretError',
  code,
  message: code,
  at: new Date(NOW - secondsAgo * 1000).toISOString(),
});
const token = (p: Partial<Held> = {}): Held => ({
  name: 'token',
  expiresAt: NOW + 60_000,
  error: null,
  expiredCode: 'VAULT_TOKEN_EXPIRED',
  ...p,
});
const lease = (p: Partial<Held> = {}): Held => ({
  name: 'lease of database/creds/app',
  expiresAt: NOW + 60_000,
  error: null,
  expiredCode: 'VAULT_LEASE_FAILED',
  ...p,
});
const refresh = (p: Partial<Held> = {}): Held => ({
  name: 'refresh',
  expiresAt: null,
  error: null,
  expiredCode: 'VAULT_LEASE_FAILED',
  ...p,
});

describe('deriveReadiness', () => {
  it.each<[string, Held[], string, string | null, boolean]>([
    ['everything healthy', [token(), lease(), refresh()], 'ready', null, true],
    ['nothing held (token without expiry)', [token({ expiresAt: null })], 'ready', null, true],
    [
      'refresh failing, credentials live',
      [token(), refresh({ error: err('VAULT_SEALED') })],
      'degraded',
      'VAULT_SEALED',
      true,
    ],
    [
      'lease renewal failing, lease live',
      [token(), lease({ error: err('VAULT_UNREACHABLE') })],
      'degraded',
      'VAULT_UNREACHABLE',
      true,
    ],
    [
      'lease expired, rotation failing',
      [token(), lease({ expiresAt: NOW - 1, error: err('VAULT_SEALED') })],
      'failed',
      'VAULT_LEASE_FAILED',
      false,
    ],
    [
      'lease expired, replacement still on its way (no failure yet)',
      [lease({ expiresAt: NOW })],
      'failed',
      'VAULT_LEASE_FAILED',
      false,
    ],
    [
      'token expired, re-login failing',
      [token({ expiresAt: NOW - 1, error: err('VAULT_LOGIN_REJECTED') })],
      'failed',
      'VAULT_TOKEN_EXPIRED',
      false,
    ],
    [
      'refresh recovered while a lease is still expired',
      [lease({ expiresAt: NOW - 1 }), refresh()],
      'failed',
      'VAULT_LEASE_FAILED',
      false,
    ],
    [
      'lease recovered while refresh still fails',
      [lease(), refresh({ error: err('VAULT_SEALED') })],
      'degraded',
      'VAULT_SEALED',
      true,
    ],
  ])('%s → %s', (_situation, held, state, code, ready) => {
    const derived = deriveReadiness(held, NOW);
    expect(derived.state).toBe(state);
    expect(derived.last_error?.code ?? null).toBe(code);
    expect(isReady(derived)).toBe(ready);
  });

  it('reports the most recent of several failures, and names the cause of an expiry', () => {
    const d = deriveReadiness(
      [refresh({ error: err('VAULT_SEALED', 30) }), lease({ error: err('VAULT_UNREACHABLE', 5) })],
      NOW,
    );
    expect(d.last_error?.code).toBe('VAULT_UNREACHABLE');
    const f = deriveReadiness([lease({ expiresAt: NOW - 1, error: err('VAULT_SEALED') })], NOW);
    expect(f.last_error?.message).toContain('lease of database/creds/app expired');
    expect(f.last_error?.message).toContain('VAULT_SEALED');
  });

  it('nextExpiry is the earliest future expiry, ignoring past ones and those without expiry', () => {
    expect(nextExpiry([token({ expiresAt: NOW + 5 }), lease({ expiresAt: NOW + 3 }), refresh()], NOW)).toBe(
      NOW + 3,
    );
    expect(nextExpiry([lease({ expiresAt: NOW - 3 }), refresh()], NOW)).toBeNull();
  });
});

describe('withConsumerErrors', () => {
  const ready = { state: 'ready' as const, last_error: null };
  it('leaves readiness alone while no consumer reports a failure', () => {
    expect(withConsumerErrors(ready, [])).toEqual(ready);
  });
  it('turns ready into degraded with the reported error', () => {
    const pool = err('VAULT_POOL_CHECK_FAILED');
    expect(withConsumerErrors(ready, [pool])).toEqual({ state: 'degraded', last_error: pool });
  });
  it('shows the latest failure, own or reported, while degraded', () => {
    const older = err('VAULT_POOL_CHECK_FAILED', 30);
    const refreshing = { state: 'degraded' as const, last_error: err('VAULT_UNREACHABLE', 10) };
    expect(withConsumerErrors(refreshing, [older]).last_error?.code).toBe('VAULT_UNREACHABLE');
    const newer = err('VAULT_POOL_CHECK_FAILED', 1);
    expect(withConsumerErrors(refreshing, [older, newer])).toEqual({ state: 'degraded', last_error: newer });
  });
  it('never hides an expiry: failed stays failed', () => {
    const expired = { state: 'failed' as const, last_error: err('VAULT_LEASE_FAILED') };
    expect(withConsumerErrors(expired, [err('VAULT_POOL_CHECK_FAILED', -5)])).toBe(expired);
  });
});
