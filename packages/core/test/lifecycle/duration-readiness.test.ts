/** Exact texts and boundaries of the duration grammar and of derived readiness. */
import { describe, expect, it } from 'vitest';
import { durationSeconds, parseDuration } from '../../src/lifecycle/duration';
import { deriveReadiness, nextExpiry, type Held } from '../../src/lifecycle/readiness';
import { LifetimeWatcher, type DoneReason } from '../../src/lifecycle/lifetime-watcher';
import { FakeClock } from '../support/fake-clock';

describe('durationSeconds', () => {
  it.each([
    ['90', 90],
    ['1.25', 1.25],
    [' 2 ', 2],
    ['1.25s', 1.25],
    ['1.s', 1],
    ['.5s', 0.5],
    ['.25s', 0.25],
    ['1h30m', 5400],
    ['2d', 172_800],
    ['1500ms', 1.5],
    ['1s500ms', 1.5],
  ])('%j → %d s', (text, seconds) => {
    expect(durationSeconds(text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', '1x', 'h', '1h x', 'x1h', '1h30', '1.2.3s', '.s'])('%j is not a duration', (text) => {
    expect(durationSeconds(text)).toBeUndefined();
  });
});

describe('parseDuration bounds: inclusive, described in the largest whole unit', () => {
  const parse = (value: unknown, bounds: { minSeconds?: number; maxSeconds?: number }) =>
    parseDuration(value, 'VAULT_X', 'x', bounds);
  const message = (value: unknown, bounds: { minSeconds?: number; maxSeconds?: number }) => {
    try {
      parse(value, bounds);
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('the bounds themselves are accepted', () => {
    expect(parse(1, { minSeconds: 1 })).toBe(1);
    expect(parse('2d', { maxSeconds: 172_800 })).toBe(172_800);
  });

  it.each([
    [{ maxSeconds: 172_800 }, '3d', 'must be at most 2d (got "3d")'],
    [{ maxSeconds: 7_200 }, '3h', 'must be at most 2h (got "3h")'],
    [{ maxSeconds: 120 }, '3m', 'must be at most 2m (got "3m")'],
    [{ maxSeconds: 90 }, 91, 'must be at most 90s (got 91)'],
    [{ minSeconds: 0.25 }, '100ms', 'must be at least 250ms (got "100ms")'],
    [{ minSeconds: 1 }, 0.5, 'must be at least 1s (got 0.5)'],
  ] as const)('%j refuses %j: %s', (bounds, value, text) => {
    expect(message(value, bounds)).toBe(`VAULT_X (option \`x\`) ${text}`);
  });

  it('zero, negative, infinite, not text or number: a positive duration is asked for', () => {
    for (const value of [0, -1, Number.POSITIVE_INFINITY, Number.NaN, '0', true, {}, null]) {
      expect(message(value, {}), String(value)).toBe(
        `VAULT_X (option \`x\`) must be a positive duration: a number of seconds or Go's form like 30s, 15m, 1h30m (got ${JSON.stringify(value)})`,
      );
    }
  });
});

const NOW = Date.UTC(2026, 5, 1);
const held = (p: Partial<Held>): Held => ({
  name: 'token',
  expiresAt: NOW + 60_000,
  error: null,
  expiredCode: 'VAULT_TOKEN_EXPIRED',
  ...p,
});
const err = (code: string, at: number) => ({
  name: 'E',
  code,
  message: code,
  at: new Date(at).toISOString(),
});

describe('deriveReadiness', () => {
  it('an expiry without a failure says so without a cause', () => {
    const d = deriveReadiness([held({ expiresAt: NOW })], NOW);
    expect(d.last_error).toEqual({
      name: 'VaultAuthenticationError',
      code: 'VAULT_TOKEN_EXPIRED',
      message: 'the token expired and has not been replaced yet: retrying',
      at: new Date(NOW).toISOString(),
    });
    const lease = deriveReadiness(
      [held({ name: 'lease of x', expiresAt: NOW - 1, expiredCode: 'VAULT_LEASE_FAILED' })],
      NOW,
    );
    expect(lease.last_error).toMatchObject({ name: 'VaultSecretError', code: 'VAULT_LEASE_FAILED' });
  });

  it('degraded reports the most recent failure; on a tie, the first held', () => {
    const older = held({ name: 'a', error: err('OLD', NOW - 5_000) });
    const newer = held({ name: 'b', error: err('NEW', NOW - 1_000) });
    expect(deriveReadiness([older, newer], NOW).last_error?.code).toBe('NEW');
    expect(deriveReadiness([newer, older], NOW).last_error?.code).toBe('NEW');
    const tieA = held({ name: 'a', error: err('A', NOW) });
    const tieB = held({ name: 'b', error: err('B', NOW) });
    expect(deriveReadiness([tieA, tieB], NOW).last_error?.code).toBe('A');
  });
});

describe('nextExpiry', () => {
  it('the earliest future expiry; past, present and null ones ignored', () => {
    const hs = [
      held({ expiresAt: NOW - 1 }),
      held({ expiresAt: NOW }),
      held({ expiresAt: null }),
      held({ expiresAt: NOW + 5_000 }),
      held({ expiresAt: NOW + 3_000 }),
      held({ expiresAt: NOW + 3_000 }),
      held({ expiresAt: NOW + 9_000 }),
    ];
    expect(nextExpiry(hs, NOW)).toBe(NOW + 3_000);
    expect(nextExpiry([held({ expiresAt: NOW })], NOW)).toBeNull();
    expect(nextExpiry([], NOW)).toBeNull();
  });
});

describe('LifetimeWatcher edges', () => {
  function watch(renew: (ms: number) => Promise<number>, ttlMs = 60_000) {
    const clock = new FakeClock();
    const done: DoneReason[] = [];
    const failing: number[] = [];
    const renewed: number[] = [];
    const asked: number[] = [];
    const w = new LifetimeWatcher(
      { expiresAt: clock.now() + ttlMs, grantedMs: ttlMs },
      {
        clock,
        random: () => 0.5,
        backoffBaseMs: 1_000,
        renew: (ms) => {
          asked.push(ms);
          return renew(ms);
        },
        isPermanent: () => false,
        listener: {
          renewed: (l) => renewed.push(l.expiresAt - clock.now()),
          failing: (_e, wait) => failing.push(wait),
          done: (r) => done.push(r),
        },
      },
    );
    return { clock, w, done, renewed, asked, failing };
  }

  it('a renewal granting more than asked asks for the larger lifetime next time', async () => {
    const t = watch(async () => 90_000);
    t.w.start();
    await t.clock.advance(40_000 + 60_000);
    expect(t.asked).toEqual([60_000, 90_000]);
  });

  it('a failure exactly at the expiry ends it as expired, without another retry', async () => {
    const attempts: number[] = [];
    const t = watch(async () => {
      attempts.push(t.clock.now() - start);
      throw new Error('down');
    }, 3_000);
    const start = t.clock.now();
    t.w.start();
    // Renewal due at 2 s (2/3 of 3 s), retried after the 1 s backoff floor: at 3 s, the expiry.
    await t.clock.advance(3_000);
    expect(attempts).toEqual([2_000, 3_000]);
    expect(t.done).toEqual(['expired']);
    expect(t.clock.timers).toBe(0);
  });

  it('stop() while a renewal is in flight: its answer is ignored, nothing more happens', async () => {
    let resolve: (ms: number) => void = () => undefined;
    const t = watch(() => new Promise<number>((r) => (resolve = r)));
    t.w.start();
    await t.clock.advance(40_000);
    t.w.stop();
    resolve(60_000);
    await t.clock.advance(600_000);
    expect(t.renewed).toEqual([]);
    expect(t.done).toEqual([]);
    expect(t.clock.timers).toBe(0);
  });

  it('stop() while a failing renewal is in flight: no retry, no done', async () => {
    let reject: (e: Error) => void = () => undefined;
    const t = watch(() => new Promise<number>((_, r) => (reject = r)));
    t.w.start();
    await t.clock.advance(40_000);
    t.w.stop();
    reject(new Error('down'));
    await t.clock.advance(600_000);
    expect(t.asked).toHaveLength(1);
    expect(t.done).toEqual([]);
    expect(t.failing).toEqual([]);
  });
});
