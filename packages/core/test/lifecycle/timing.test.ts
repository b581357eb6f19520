/** The timing rules: renewal point and spread, backoff floor and cap, duration grammar, long timers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, systemClock } from '../../src/lifecycle/clock';
import { durationSeconds, parseDuration } from '../../src/lifecycle/duration';
import { Backoff, MIN_BACKOFF_MS, MIN_RENEW_DELAY_MS, renewDelay } from '../../src/lifecycle/timing';
import { sequence } from '../support/fake-clock';

const HOUR = 3_600_000;

describe('renewDelay: 2/3 of what is left, ± 1/8 of it', () => {
  it.each([
    [0.5, HOUR, (2 / 3) * HOUR],
    [0, HOUR, (2 / 3 - 1 / 8) * HOUR],
    [0.999_999, HOUR, (2 / 3 + 1 / 8) * HOUR],
    [0.5, 768 * HOUR, 512 * HOUR],
  ])('random %s, remaining %s ms → %s ms', (r, remaining, expected) => {
    expect(renewDelay(remaining, () => r)).toBeCloseTo(expected, -1);
  });

  it('never schedules sooner than its floor, even for a lease already expired', () => {
    expect(renewDelay(-5_000, () => 0.5)).toBe(MIN_RENEW_DELAY_MS);
    expect(renewDelay(0, () => 0)).toBe(MIN_RENEW_DELAY_MS);
    expect(renewDelay(600, () => 0.5)).toBe(MIN_RENEW_DELAY_MS);
  });
});

describe('Backoff', () => {
  it('doubles from its base, jitters within [0.5, 1) of the ceiling, and caps', () => {
    const b = new Backoff(2_000, () => 0, 10_000);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    const top = new Backoff(2_000, () => 0.999_999, 10_000);
    expect(Math.round(top.next())).toBe(2_000);
    expect(Math.round(top.next())).toBe(4_000);
  });

  it('has a floor whatever the base (a base of 0 does not spin)', () => {
    const b = new Backoff(0, () => 0);
    for (let i = 0; i < 5; i += 1) expect(b.next()).toBeGreaterThanOrEqual(MIN_BACKOFF_MS);
  });

  it('starts over after reset()', () => {
    const b = new Backoff(1_000, sequence(0.5));
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(MIN_BACKOFF_MS);
    expect(b.consecutiveFailures).toBe(1);
  });
});

describe('durations: one grammar (Go time.ParseDuration, d for days, bare seconds)', () => {
  it.each([
    ['30', 30],
    ['1.5', 1.5],
    ['30s', 30],
    ['500ms', 0.5],
    ['1h30m', 5_400],
    ['2h45m30s', 9_930],
    ['1.5h', 5_400],
    ['1d', 86_400],
    ['768h', 2_764_800],
    ['  15m ', 900],
  ])('%s → %s s', (text, seconds) => {
    expect(durationSeconds(text)).toBeCloseTo(seconds, 6);
  });

  it.each(['', 'abc', '1x', '1h 30m', 'h', '-5s', '1e3', '30s30'])('%j is not a duration', (text) => {
    expect(durationSeconds(text)).toBeUndefined();
  });

  it('names the setting, the option and the bound in its error', () => {
    expect(() => parseDuration('1h', 'VAULT_TIMEOUT', 'timeout', { maxSeconds: 600 })).toThrow(
      /VAULT_TIMEOUT \(option `timeout`\) must be at most 10m \(got "1h"\)/,
    );
    expect(() => parseDuration(0.2, 'VAULT_REFRESH_INTERVAL', 'refreshInterval', { minSeconds: 1 })).toThrow(
      /VAULT_REFRESH_INTERVAL .* at least 1s/,
    );
    expect(() => parseDuration('soon', 'VAULT_RETRY_DELAY', 'retryDelay')).toThrow(
      /VAULT_RETRY_DELAY .*positive duration/,
    );
    expect(parseDuration(undefined, 'X', 'x')).toBeUndefined();
  });
});

describe('systemClock: delays past Node’s 2^31−1 ms limit are chained, never fired early', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a 768 h timer does not fire in the first second, nor a minute before it is due, and fires once', () => {
    vi.useFakeTimers({ now: 0 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    let fired = 0;
    const delay = 768 * HOUR;
    expect(delay).toBeGreaterThan(MAX_TIMER_MS);
    systemClock.setTimer(delay, () => (fired += 1));
    vi.advanceTimersByTime(1_000);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(delay - 61_000);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(delay);
    expect(fired).toBe(1);
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
  });

  it('cancel() stops a chained timer between its steps', () => {
    vi.useFakeTimers({ now: 0 });
    let fired = 0;
    const handle = systemClock.setTimer(3 * MAX_TIMER_MS, () => (fired += 1));
    vi.advanceTimersByTime(MAX_TIMER_MS + 10);
    handle.cancel();
    vi.advanceTimersByTime(3 * MAX_TIMER_MS);
    expect(fired).toBe(0);
  });

  it('a negative or zero delay fires on the next turn of the event loop, once', () => {
    vi.useFakeTimers({ now: 0 });
    let fired = 0;
    systemClock.setTimer(-10, () => (fired += 1));
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });
});
