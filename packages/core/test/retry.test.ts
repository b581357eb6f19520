import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../src/http/error-mapping';
import { VaultSecretError } from '../src/errors';
import { VaultHttpError } from '../src/http/http-error';
import {
  QUOTA_RETRIES,
  RetryStop,
  backoffDelay,
  parseRateLimitReset,
  parseRetryAfter,
  retryAfterDelay,
  withRetry,
  type RetryEvent,
  type RetryPolicy,
} from '../src/http/retry';
import { TransportError } from '../src/http/transport';

const transient = () => ({ retryable: true });

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { waits: number[] } {
  const waits: number[] = [];
  return {
    maxRetries: 3,
    baseDelayMs: 10,
    maxDelayMs: 1000,
    deadline: Date.now() + 10_000,
    attemptTimeoutMs: 1000,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    waits,
    ...overrides,
  };
}

async function stopOf(promise: Promise<unknown>): Promise<RetryStop> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RetryStop);
    return error as RetryStop;
  }
  throw new Error('expected RetryStop');
}

function http(status: number, message = '', headers: Record<string, string> = {}): VaultHttpError {
  return new VaultHttpError(status, message ? [message] : [], headers, '/v1/x', { errors: [message] });
}

describe('withRetry', () => {
  it('succeeds after transient failures, with exponential backoff and full jitter', async () => {
    const p = policy();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('flaky');
        return 'ok';
      },
      transient,
      p,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    // random 0.5 × min(cap, 10 × 2^n)
    expect(p.waits).toEqual([5, 10]);
  });

  it('makes 1 + maxRetries attempts, then stops with "exhausted"', async () => {
    const p = policy({ maxRetries: 2 });
    let calls = 0;
    const stop = await stopOf(
      withRetry(
        async () => {
          calls += 1;
          throw new Error('down');
        },
        transient,
        p,
      ),
    );
    expect(stop.reason).toBe('exhausted');
    expect(stop.attempts).toBe(3);
    expect(calls).toBe(3);
  });

  it('does not retry a fatal failure', async () => {
    let calls = 0;
    const stop = await stopOf(
      withRetry(
        async () => {
          calls += 1;
          throw new Error('403');
        },
        () => ({ retryable: false }),
        policy(),
      ),
    );
    expect(stop.reason).toBe('fatal');
    expect(calls).toBe(1);
  });

  it('waits what Retry-After says, then a random point of the next max(1 s, Retry-After), instead of the backoff', async () => {
    const p = policy();
    let calls = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw http(429, 'rate limited', { 'retry-after': '2' });
        return 'ok';
      },
      (e) => classifyFailure(e, 'read'),
      p,
    );
    // random() = 0.5: 2000 ms asked, 1000 ms for the second it is rounded down to, then 1000 ms of
    // jitter (half of the up-to-2000 ms spread).
    expect(p.waits).toEqual([4000]);
  });

  it('really sleeps for Retry-After (real timers)', async () => {
    const started = Date.now();
    let calls = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw http(503, 'busy', { 'retry-after': '0.3' });
        return 'ok';
      },
      (e) => classifyFailure(e, 'read'),
      { maxRetries: 3, baseDelayMs: 0, maxDelayMs: 0, deadline: Date.now() + 5000, attemptTimeoutMs: 1000 },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('gives up at the deadline instead of waiting past it', async () => {
    const p = policy({ deadline: Date.now() + 500 });
    const stop = await stopOf(
      withRetry(
        async () => {
          throw http(429, 'slow down', { 'retry-after': '60' });
        },
        (e) => classifyFailure(e, 'read'),
        p,
      ),
    );
    expect(stop.reason).toBe('deadline');
    expect(stop.attempts).toBe(1);
    expect(p.waits).toEqual([]);
  });

  it('bounds each attempt by the time left', async () => {
    const timeouts: number[] = [];
    await withRetry(
      async ({ timeoutMs }) => {
        timeouts.push(timeoutMs);
        return 'ok';
      },
      transient,
      policy({ attemptTimeoutMs: 30_000, deadline: Date.now() + 1000 }),
    );
    expect(timeouts[0]).toBeLessThanOrEqual(1000);
  });

  it('stops when its cancel signal aborts', async () => {
    const cancel = new AbortController();
    let calls = 0;
    const stop = await stopOf(
      withRetry(
        async () => {
          calls += 1;
          cancel.abort();
          throw new Error('flaky');
        },
        transient,
        policy({ signal: cancel.signal, sleep: undefined }),
      ),
    );
    expect(stop.reason).toBe('fatal');
    expect(calls).toBe(1);
  });
});

describe('withRetry at the deadline (injected clock)', () => {
  /** A clock that only moves when the retry loop sleeps or an attempt takes time. */
  function clocked(overrides: Partial<RetryPolicy>, attemptMs = 10) {
    let now = 0;
    const waits: number[] = [];
    const events: RetryEvent[] = [];
    const p: RetryPolicy = {
      maxRetries: 20,
      baseDelayMs: 5000,
      maxDelayMs: 40_000,
      deadline: 1500,
      attemptTimeoutMs: 1000,
      random: () => 0.9,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
      onRetry: (e) => void events.push(e),
      ...overrides,
    };
    const attempt = async () => {
      now += attemptMs;
      throw new Error('down');
    };
    return { p, waits, events, attempt, at: () => now };
  }

  it('shortens a backoff longer than the time left, so a last attempt fits, then says what was left', async () => {
    const c = clocked({});
    const stop = await stopOf(withRetry(c.attempt, transient, c.p));
    // 0.9 × 5000 = 4500 ms wanted; 1490 ms left minus the 100 ms an attempt needs.
    expect(c.waits).toEqual([1390]);
    expect(c.events.map((e) => [e.attempt, e.maxAttempts, e.waitMs, e.shortened])).toEqual([
      [1, 21, 1390, true],
    ]);
    expect(stop.reason).toBe('deadline');
    expect(stop.attempts).toBe(2);
    expect(stop.deadline).toEqual({ leftMs: 90 });
    expect(c.at()).toBe(1410);
  });

  it('does not shorten Retry-After: stops at once and reports the wait Vault asked for', async () => {
    const c = clocked({});
    const stop = await stopOf(
      withRetry(
        async () => {
          throw http(429, 'slow down', { 'retry-after': '30' });
        },
        (e) => classifyFailure(e, 'read'),
        c.p,
      ),
    );
    expect(c.waits).toEqual([]);
    expect(stop.deadline).toEqual({ leftMs: 1500, retryAfterMs: 30_000 });
  });

  it('reports each retried failure with attempt n/N and the wait', async () => {
    const c = clocked({ baseDelayMs: 10, maxRetries: 2, deadline: 60_000 });
    const stop = await stopOf(withRetry(c.attempt, transient, c.p));
    expect(stop.reason).toBe('exhausted');
    expect(c.events.map((e) => `${e.attempt}/${e.maxAttempts} ${e.waitMs}`)).toEqual(['1/3 9', '2/3 18']);
  });
});

describe('the wait after a Retry-After', () => {
  it('is past the moment asked (the value plus its 1 s resolution), then spread by the random source', () => {
    expect(retryAfterDelay(1000, 1, () => 0)).toBe(2000);
    expect(retryAfterDelay(1000, 1, () => 0.25)).toBe(2250);
    expect(retryAfterDelay(1000, 1, () => 0.999_999)).toBe(2999);
    expect(retryAfterDelay(2000, 1, () => 0.5)).toBe(4000);
  });

  it('spreads over at least one quota interval (1 s): Vault says "0" when less than a second is left', () => {
    // "0": the quota refills within the second, so the first retry comes 1–2 s later.
    expect(retryAfterDelay(0, 1, () => 0)).toBe(1000);
    expect(retryAfterDelay(0, 1, () => 0.5)).toBe(1500);
    expect(retryAfterDelay(0, 1, () => 0.999_999)).toBe(1999);
    expect(retryAfterDelay(300, 1, () => 0.5)).toBe(1800);
  });

  it('spreads the n-th retry over n windows, at most 60 s', () => {
    // Window: max(1 s, Retry-After) × retry.
    expect([1, 2, 3, 4].map((n) => retryAfterDelay(0, n, () => 0.5))).toEqual([1500, 2000, 2500, 3000]);
    expect([1, 2, 3].map((n) => retryAfterDelay(2000, n, () => 0.5))).toEqual([4000, 5000, 6000]);
    expect(retryAfterDelay(0, 100, () => 0.999_999)).toBe(60_999);
    expect(retryAfterDelay(30_000, 3, () => 0.5)).toBe(61_000);
    // Out-of-range retry numbers count as the first.
    expect(retryAfterDelay(0, 0, () => 0.5)).toBe(1500);
  });

  it('a fleet told "Retry-After: 0" again and again spreads out instead of retrying at once', async () => {
    const p = policy({ maxRetries: 5 });
    let calls = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls <= 4) throw http(429, 'rate limit quota exceeded', { 'retry-after': '0' });
        return 'ok';
      },
      (e) => classifyFailure(e, 'read'),
      p,
    );
    // 1 s past the truncated "0", then random() = 0.5 of windows of 1, 2, 3, 4 s.
    expect(p.waits).toEqual([1500, 2000, 2500, 3000]);
  });

  it('429s do not use up maxRetries: up to QUOTA_RETRIES of them, counted on their own', async () => {
    const p = policy({ maxRetries: 2, deadline: Date.now() + 3_600_000 });
    const events: RetryEvent[] = [];
    let calls = 0;
    const stop = await stopOf(
      withRetry(
        async () => {
          calls += 1;
          throw http(429, 'rate limit quota exceeded');
        },
        (e) => classifyFailure(e, 'read'),
        { ...p, onRetry: (e) => void events.push(e) },
      ),
    );
    expect(stop.reason).toBe('exhausted');
    expect(calls).toBe(QUOTA_RETRIES + 1);
    // A bare 429 (Vault's headers are opt-in) spreads like "Retry-After: 0": windows of 1, 2, 3 … s.
    expect(p.waits.slice(0, 3)).toEqual([1500, 2000, 2500]);
    expect(events.map((e) => `${e.attempt}/${e.maxAttempts}`).slice(0, 2)).toEqual(['1/11', '2/11']);
  });

  it('other failures keep their own count beside 429s', async () => {
    const p = policy({ maxRetries: 2 });
    const answers = [http(503), http(429), http(429), http(503), http(429), http(503)];
    let calls = 0;
    const stop = await stopOf(
      withRetry(
        async () => {
          throw answers[calls++];
        },
        (e) => classifyFailure(e, 'read'),
        p,
      ),
    );
    // The third 503 is the third non-quota failure: one more than maxRetries = 2.
    expect(stop.reason).toBe('exhausted');
    expect(calls).toBe(6);
  });

  it('a policy that does not retry does not retry a 429 either', async () => {
    let calls = 0;
    const stop = await stopOf(
      withRetry(
        async () => {
          calls += 1;
          throw http(429, 'rate limit quota exceeded');
        },
        (e) => classifyFailure(e, 'read'),
        policy({ maxRetries: 0 }),
      ),
    );
    expect(stop.reason).toBe('exhausted');
    expect(calls).toBe(1);
  });

  it('shrinks its jitter, never the Retry-After itself, to fit the deadline', async () => {
    const p = policy({ deadline: Date.now() + 1500, random: () => 0.99 });
    let calls = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw http(429, 'rate limited', { 'retry-after': '1' });
        return 'ok';
      },
      (e) => classifyFailure(e, 'read'),
      p,
    );
    expect(p.waits).toHaveLength(1);
    expect(p.waits[0]).toBeGreaterThanOrEqual(1000);
    expect(p.waits[0]).toBeLessThan(1500);
  });
});

describe('backoff and Retry-After parsing', () => {
  it('caps the exponential ceiling', () => {
    const p = { baseDelayMs: 100, maxDelayMs: 250, random: () => 0.999 };
    expect(backoffDelay(0, p)).toBe(99);
    expect(backoffDelay(5, p)).toBe(249);
    expect(backoffDelay(3, { ...p, random: () => 0 })).toBe(0);
  });

  it('reads X-Ratelimit-Reset as seconds, an HTTP date or a Unix time', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRateLimitReset('0', now)).toBe(0);
    expect(parseRateLimitReset('2', now)).toBe(2000);
    expect(parseRateLimitReset('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRateLimitReset(String(now / 1000 + 4), now)).toBe(4000);
    expect(parseRateLimitReset(String(now / 1000 - 4), now)).toBe(0);
    expect(parseRateLimitReset(undefined, now)).toBeUndefined();
    expect(parseRateLimitReset('later', now)).toBeUndefined();
  });

  it('parses seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  });
});

describe('classifyFailure: what is transient', () => {
  it.each([
    [429, '', 'read', true],
    [412, '', 'read', true],
    [500, 'internal error', 'read', true],
    [502, '', 'read', true],
    [503, 'maintenance', 'read', true],
    [504, '', 'read', true],
    [503, 'Vault is sealed', 'read', true],
    [503, 'Vault is sealed', 'login', true],
    [501, '', 'read', false],
    [400, 'missing role', 'login', false],
    [401, '', 'read', false],
    [403, 'permission denied', 'read', false],
    [404, '', 'read', false],
    [500, 'service account name not authorized', 'login', false],
    [500, 'could not load backend configuration', 'login', false],
    [500, 'internal error', 'login', true],
  ] as const)('HTTP %i %j during %s → retryable %s', (status, message, phase, retryable) => {
    expect(classifyFailure(http(status, message), phase).retryable).toBe(retryable);
  });

  it('retries network errors and timeouts, not TLS failures or our own errors', () => {
    expect(classifyFailure(new TransportError('ECONNRESET', 'reset'), 'read').retryable).toBe(true);
    expect(classifyFailure(new TransportError('ECONNREFUSED', 'refused'), 'login').retryable).toBe(true);
    expect(classifyFailure(new TransportError('VAULT_REQUEST_TIMEOUT', 'timeout'), 'read').retryable).toBe(
      true,
    );
    expect(classifyFailure(new TransportError('DEPTH_ZERO_SELF_SIGNED_CERT', 'x'), 'read').retryable).toBe(
      false,
    );
    expect(classifyFailure(new TransportError('ERR_TLS_CERT_ALTNAME_INVALID', 'x'), 'read').retryable).toBe(
      false,
    );
    expect(classifyFailure(new VaultSecretError('VAULT_INVALID_KEY', 'x'), 'read').retryable).toBe(false);
  });

  it('does not retry a 200 with an unparseable body', () => {
    const e = new VaultHttpError(200, [], {}, '/v1/kv/data/x', undefined, true);
    expect(classifyFailure(e, 'read').retryable).toBe(false);
  });
});
