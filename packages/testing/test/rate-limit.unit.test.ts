/**
 * The rate-limit quota on exact times: go-limiter's memorystore bucket per client (full at its first
 * request, refilled in full at every whole interval since then) and the headers Vault sends.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/faults';

const T0 = 1_700_000_000_000;

describe('RateLimiter', () => {
  it('is off until a rate is set, and off again at 0', () => {
    const limiter = new RateLimiter();
    expect(limiter.take('a', T0)).toBeUndefined();
    limiter.set(1);
    expect(limiter.take('a', T0)?.allowed).toBe(true);
    limiter.set(0);
    expect(limiter.take('a', T0)).toBeUndefined();
  });

  // sethvargo/go-limiter memorystore/store.go (*bucket).take and tick.
  it('refills at whole intervals from the first request, not one interval after each request', () => {
    const limiter = new RateLimiter();
    limiter.set(2);
    const at = (ms: number) => limiter.take('a', T0 + ms)?.allowed;
    expect([at(0), at(900), at(950)]).toEqual([true, true, false]);
    // A sliding window would still refuse at 1000 ms (the 900 ms request is 100 ms old).
    expect([at(1000), at(1999), at(2000)]).toEqual([true, true, true]);
    expect(at(2001)).toBe(true);
    expect(at(2002)).toBe(false);
  });

  it('a quiet interval does not bank tokens: the bucket is full, never more', () => {
    const limiter = new RateLimiter();
    limiter.set(2);
    limiter.take('a', T0);
    const later = [0, 1, 2].map((i) => limiter.take('a', T0 + 10_500 + i)?.allowed);
    expect(later).toEqual([true, true, false]);
  });

  it('rounds the rate and keeps one bucket per client', () => {
    const limiter = new RateLimiter();
    limiter.set(1.6);
    expect([1, 2, 3].map(() => limiter.take('a', T0)?.allowed)).toEqual([true, true, false]);
    expect(limiter.take('b', T0 + 10)?.allowed).toBe(true);
  });

  it('set() starts every bucket afresh', () => {
    const limiter = new RateLimiter();
    limiter.set(1);
    limiter.take('a', T0);
    limiter.set(1);
    expect(limiter.take('a', T0 + 1)?.allowed).toBe(true);
  });

  // hashicorp/vault http/util.go rateLimitQuotaWrapping: headers only when enabled.
  it('sends no headers unless response headers are on', () => {
    const limiter = new RateLimiter();
    limiter.set(1);
    expect(limiter.take('a', T0)).toEqual({ allowed: true, headers: {} });
    expect(limiter.take('a', T0)).toEqual({ allowed: false, headers: {} });
  });

  // (*RateLimitQuota).allow: strconv.Itoa(int(time.Until(reset).Seconds())) for both headers.
  it('with headers: limit, remaining, and reset / Retry-After as truncated whole seconds', () => {
    const limiter = new RateLimiter();
    limiter.set(2, { intervalMs: 5_000, responseHeaders: true });
    expect(limiter.take('a', T0)?.headers).toEqual({
      'X-Ratelimit-Limit': '2',
      'X-Ratelimit-Remaining': '1',
      'X-Ratelimit-Reset': '5',
    });
    expect(limiter.take('a', T0 + 1_200)?.headers['X-Ratelimit-Remaining']).toBe('0');
    // 3.2 s until the refill at 5 s: "3"; 0.4 s: "0" — Go's int(Seconds()) truncates.
    expect(limiter.take('a', T0 + 1_800)).toEqual({
      allowed: false,
      headers: {
        'X-Ratelimit-Limit': '2',
        'X-Ratelimit-Remaining': '0',
        'X-Ratelimit-Reset': '3',
        'Retry-After': '3',
      },
    });
    expect(limiter.take('a', T0 + 4_600)?.headers['Retry-After']).toBe('0');
  });

  it('an interval that is not a positive number falls back to Vault’s 1 s', () => {
    const limiter = new RateLimiter();
    limiter.set(1, { intervalMs: -5 });
    expect(limiter.take('a', T0)?.allowed).toBe(true);
    expect(limiter.take('a', T0 + 999)?.allowed).toBe(false);
    expect(limiter.take('a', T0 + 1_000)?.allowed).toBe(true);
  });
});
