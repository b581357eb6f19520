/**
 * withRetry's edges on an injected clock (or Vitest's fake timers for the default sleep and the
 * per-attempt guard): exact deadlines, cancellation, listeners and timers left behind.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetryStop, parseRetryAfter, withRetry, type RetryEvent, type RetryPolicy } from '../src/http/retry';

afterEach(() => {
  vi.useRealTimers();
});

/** A policy on a clock that moves only when the loop sleeps. */
function clocked(overrides: Partial<RetryPolicy> = {}) {
  let now = 0;
  const waits: number[] = [];
  const events: RetryEvent[] = [];
  const policy: RetryPolicy = {
    maxRetries: 5,
    baseDelayMs: 1000,
    maxDelayMs: 1000,
    deadline: 10_000,
    attemptTimeoutMs: 1000,
    random: () => 0.5,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    onRetry: (e) => void events.push(e),
    ...overrides,
  };
  return { policy, waits, events, tick: (ms: number) => (now += ms) };
}

const retryable = () => ({ retryable: true });
const after = (ms: number) => () => ({ retryable: true, retryAfterMs: ms });

async function stopOf(promise: Promise<unknown>): Promise<RetryStop> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RetryStop);
  return error as RetryStop;
}

describe('RetryStop', () => {
  it('says why and after how many attempts', () => {
    const stop = new RetryStop('exhausted', new Error('x'), 3);
    expect(stop.name).toBe('RetryStop');
    expect(stop.message).toBe('retry stopped: exhausted after 3 attempt(s)');
  });
});

describe('the deadline', () => {
  it('already reached (exactly now): no attempt at all', async () => {
    const c = clocked({ deadline: 0 });
    const op = vi.fn(async () => 'ok');
    const stop = await stopOf(withRetry(op, retryable, c.policy));
    expect(op).not.toHaveBeenCalled();
    expect(stop).toMatchObject({ reason: 'deadline', attempts: 0, deadline: { leftMs: 0 } });
    expect(stop.lastError).toBeUndefined();
  });

  it('gives each attempt min(attemptTimeoutMs, time left), never under 1 ms', async () => {
    const seen: number[] = [];
    const c = clocked({ deadline: 1_500 });
    await stopOf(
      withRetry(
        async (ctx) => {
          seen.push(ctx.timeoutMs);
          c.tick(1);
          throw new Error('down');
        },
        retryable,
        c.policy,
      ),
    );
    // Each attempt takes 1 ms and each backoff is 500 ms (shortened to fit at the end):
    // 1500 left → 1000; 999 left; 498 left; 100 left; then no attempt fits.
    expect(seen).toEqual([1000, 999, 498, 100]);
    const tiny = clocked({ deadline: 0.5 });
    await withRetry(async (ctx) => seen.push(ctx.timeoutMs), retryable, tiny.policy);
    expect(seen.at(-1)).toBe(1);
  });

  // random 0: no jitter on top of Retry-After. The second it may be rounded down by is waited when
  // there is time for it, and cut when the value alone just fits (wait + 100 ms = time left).
  it.each([
    ['fits exactly: honoured in full, its resolution second cut', 1_100, 1_000, true],
    ['with time to spare: waited with its resolution second', 10_000, 2_000, false],
  ])('Retry-After of 1 s that %s', async (_name, deadline, waitMs, shortened) => {
    const c = clocked({ deadline, random: () => 0 });
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('busy');
        return 'ok';
      },
      after(1_000),
      c.policy,
    );
    expect(result).toBe('ok');
    expect(c.waits).toEqual([waitMs]);
    expect(c.events[0]).toMatchObject({ waitMs, shortened });
  });

  it('Retry-After 1 ms too long for the time left stops at once, reporting both', async () => {
    const c = clocked({ deadline: 1_100 });
    const stop = await stopOf(
      withRetry(
        async () => {
          throw new Error('busy');
        },
        after(1_001),
        c.policy,
      ),
    );
    expect(c.waits).toEqual([]);
    expect(stop).toMatchObject({
      reason: 'deadline',
      attempts: 1,
      deadline: { leftMs: 1_100, retryAfterMs: 1_001 },
    });
  });

  it('our own backoff shrinks to exactly 0 ms when only an attempt’s 100 ms is left, and tries again', async () => {
    const c = clocked({ deadline: 100 });
    let calls = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('down');
        return 'ok';
      },
      retryable,
      c.policy,
    );
    expect(c.waits).toEqual([0]);
    expect(c.events[0]).toMatchObject({ waitMs: 0, shortened: true });
  });

  it('a backoff that fits is not marked shortened', async () => {
    const c = clocked();
    let calls = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('down');
        return 'ok';
      },
      retryable,
      c.policy,
    );
    expect(c.events).toEqual([
      { attempt: 1, maxAttempts: 6, error: expect.any(Error), waitMs: 500, shortened: false },
    ]);
  });
});

describe('cancellation', () => {
  it('aborting the policy signal aborts the attempt in flight', async () => {
    const cancel = new AbortController();
    const c = clocked({ signal: cancel.signal });
    const run = withRetry(
      (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
          cancel.abort();
        }),
      retryable,
      c.policy,
    );
    const stop = await stopOf(run);
    expect(stop.reason).toBe('fatal');
    expect(stop.attempts).toBe(1);
  });

  it('leaves no abort listener on the policy signal, and no timer, after it returns', async () => {
    vi.useFakeTimers();
    const cancel = new AbortController();
    const c = clocked({ signal: cancel.signal });
    let calls = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('down');
        return 'ok';
      },
      retryable,
      c.policy,
    );
    expect(getEventListeners(cancel.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the per-attempt guard aborts a hung attempt 50 ms after its timeout, not before', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const c = clocked({ attemptTimeoutMs: 200, maxRetries: 0 });
    const run = withRetry(
      (ctx) =>
        new Promise((_, reject) => {
          signal = ctx.signal;
          ctx.signal.addEventListener('abort', () => reject(new Error('timed out')));
        }),
      retryable,
      c.policy,
    );
    const stopped = stopOf(run);
    await vi.advanceTimersByTimeAsync(249);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal?.aborted).toBe(true);
    expect((await stopped).reason).toBe('exhausted');
  });
});

describe('the default sleep (no injected sleep)', () => {
  it('waits the backoff on the timer, and an abort ends the wait at once, leaving no timer', async () => {
    vi.useFakeTimers();
    const cancel = new AbortController();
    let calls = 0;
    const run = withRetry(
      async () => {
        calls += 1;
        throw new Error('down');
      },
      retryable,
      {
        maxRetries: 5,
        baseDelayMs: 60_000,
        maxDelayMs: 60_000,
        deadline: Date.now() + 3_600_000,
        attemptTimeoutMs: 1000,
        random: () => 0.5,
        signal: cancel.signal,
      },
    );
    const stopped = stopOf(run);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    cancel.abort();
    const stop = await stopped;
    expect(stop).toMatchObject({ reason: 'fatal', attempts: 2 });
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(cancel.signal, 'abort')).toHaveLength(0);
  });

  it('an already aborted signal stops before the first attempt', async () => {
    const cancel = new AbortController();
    cancel.abort();
    const op = vi.fn(async () => 'ok');
    const stop = await stopOf(
      withRetry(op, retryable, { ...clocked().policy, sleep: undefined, signal: cancel.signal }),
    );
    expect(op).not.toHaveBeenCalled();
    expect(stop).toMatchObject({ reason: 'fatal', attempts: 0 });
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['3', 3000],
    [' 5 ', 5000],
    ['1.5', 1500],
    ['1.25', 1250],
    ['0', 0],
    [['4', '9'], 4000],
  ] as const)('%j seconds → %i ms', (value, ms) => {
    expect(parseRetryAfter(value as string | string[])).toBe(ms);
  });

  it.each([undefined, '', '   ', '5abc', '5s', 'soon', []])('%j → undefined', (value) => {
    expect(parseRetryAfter(value as string | undefined)).toBeUndefined();
  });

  it('an HTTP-date in the past means now (0 ms)', () => {
    const now = Date.parse('2026-01-01T00:00:10Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(0);
  });
});
