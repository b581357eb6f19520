/**
 * The lifecycle's small parts on the fake clock: the rotation hand-over, the periodic task and the
 * retry loop, the timer group, an awaited wait, and the system clock's cancel and now.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, TimerGroup, sleepOn, systemClock } from '../../src/lifecycle/clock';
import { PeriodicTask, RetryLoop } from '../../src/lifecycle/periodic-task';
import { UNRETAINED_GRACE_MS, createHandover } from '../../src/lifecycle/rotation-handover';
import { FakeClock, settle } from '../support/fake-clock';

const SEC = 1_000;

afterEach(() => {
  vi.useRealTimers();
});

function handover(expiresInMs: number) {
  const clock = new FakeClock();
  const timers = new TimerGroup(clock);
  const log: string[] = [];
  const h = createHandover({
    timers,
    now: () => clock.now(),
    expiresAt: clock.now() + expiresInMs,
    revoke: () => log.push(`revoke at ${clock.now() - start}`),
    settled: () => log.push(`settled at ${clock.now() - start}`),
  });
  const start = clock.now();
  return { clock, timers, log, h };
}

describe('rotation hand-over', () => {
  it('nobody retains: revoked after the grace (10 s, or half of what is left if less), once', async () => {
    const long = handover(60 * SEC);
    long.h.arm();
    await long.clock.advance(UNRETAINED_GRACE_MS - 1);
    expect(long.log).toEqual([]);
    await long.clock.advance(1);
    expect(long.log).toEqual([`revoke at ${UNRETAINED_GRACE_MS}`, `settled at ${UNRETAINED_GRACE_MS}`]);
    await long.clock.advance(60 * SEC);
    expect(long.log).toHaveLength(2);

    const short = handover(8 * SEC);
    short.h.arm();
    await short.clock.advance(4 * SEC);
    expect(short.log).toEqual(['revoke at 4000', 'settled at 4000']);
  });

  it('retained: revoked when the last holder releases, not before; a second release does nothing', async () => {
    const { clock, log, h } = handover(60 * SEC);
    const a = h.retain();
    const b = h.retain();
    h.arm();
    await clock.advance(20 * SEC);
    expect(log).toEqual([]);
    a();
    a();
    expect(log).toEqual([]);
    await clock.advance(SEC);
    b();
    expect(log).toEqual(['revoke at 21000', 'settled at 21000']);
    b();
    expect(log).toHaveLength(2);
  });

  it('released before arm(): nothing happens until armed, then the grace applies', async () => {
    const { clock, log, h } = handover(60 * SEC);
    const release = h.retain();
    release();
    await clock.advance(SEC);
    expect(log).toEqual([]);
    h.arm();
    await clock.advance(UNRETAINED_GRACE_MS);
    expect(log).toEqual(['revoke at 11000', 'settled at 11000']);
  });

  it('retained just after arm(): the grace does not revoke it; the release does', async () => {
    const { clock, log, h } = handover(60 * SEC);
    h.arm();
    const release = h.retain();
    await clock.advance(UNRETAINED_GRACE_MS);
    expect(log).toEqual([]);
    await clock.advance(10 * SEC);
    release();
    expect(log).toEqual(['revoke at 20000', 'settled at 20000']);
  });

  it('a holder that never releases: settled at the expiry without revoking (Vault drops it)', async () => {
    const { clock, log, h } = handover(30 * SEC);
    h.retain();
    h.arm();
    await clock.advance(30 * SEC - 1);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(log).toEqual(['settled at 30000']);
  });

  it('a release after the expiry does not revoke', async () => {
    const { clock, log, h } = handover(30 * SEC);
    const release = h.retain();
    h.arm();
    await clock.advance(40 * SEC);
    release();
    expect(log).toEqual(['settled at 30000']);
  });

  it('released exactly at the expiry does not revoke (nothing left to give back)', async () => {
    const { clock, log, h } = handover(30 * SEC);
    const release = h.retain();
    h.arm();
    await clock.advance(30 * SEC - 1);
    // Cancel the expiry timer's effect by releasing at the very end instead.
    clock.now = (() => {
      const t = clock.now() + 1;
      return () => t;
    })();
    release();
    expect(log).toEqual(['settled at 30000']);
  });

  it('cancel() settles without revoking; a retain after settling is a no-op', async () => {
    const { clock, log, h } = handover(60 * SEC);
    h.arm();
    h.cancel();
    expect(log).toEqual(['settled at 0']);
    const late = h.retain();
    late();
    await clock.advance(60 * SEC);
    expect(log).toEqual(['settled at 0']);
  });
});

describe('PeriodicTask', () => {
  function task(firstMs: number, step: () => Promise<number>, random = () => 0.5) {
    const clock = new FakeClock();
    const events: string[] = [];
    const t = new PeriodicTask(firstMs, {
      clock,
      random,
      backoffBaseMs: SEC,
      step,
      succeeded: () => events.push(`ok at ${Math.round(clock.now() - start)}`),
      failing: (_e, wait) =>
        events.push(`fail at ${Math.round(clock.now() - start)}, retry in ${Math.round(wait)}`),
    });
    const start = clock.now();
    return { clock, events, t };
  }

  it('runs at its interval ± 10 %: random 0 → −10 %, random 1 → +10 %', async () => {
    for (const [random, first] of [
      [0, 54_000],
      [0.5, 60_000],
      [0.9999999, 66_000],
    ] as const) {
      const { clock, t } = task(
        60_000,
        async () => 60_000,
        () => random,
      );
      t.start();
      expect(Math.round(clock.nextIn()!)).toBe(first);
    }
  });

  it('never runs sooner than the backoff floor, even with a tiny interval', async () => {
    const { clock, t } = task(
      10,
      async () => 10,
      () => 0,
    );
    t.start();
    expect(clock.nextIn()).toBe(1_000);
  });

  it('the next run follows the interval the step returned', async () => {
    const { clock, events, t } = task(60_000, async () => 5_000);
    t.start();
    await clock.advance(60_000);
    expect(events).toEqual(['ok at 60000']);
    expect(clock.nextIn()).toBe(5_000);
  });

  it('failures back off from 1 s, doubling, capped at the interval; a success resets the backoff', async () => {
    const outcomes = [false, false, false, false, true, false];
    const { clock, events, t } = task(
      5_000,
      async () => {
        if (!outcomes.shift()) throw new Error('down');
        return 5_000;
      },
      () => 0.9999999,
    );
    t.start();
    await clock.advance(23_000);
    // 5 s + 10 % first; then 1 s, 2 s, 4 s, then capped at the 5 s interval; the success resets.
    expect(events).toEqual([
      'fail at 5500, retry in 1000',
      'fail at 6500, retry in 2000',
      'fail at 8500, retry in 4000',
      'fail at 12500, retry in 5000',
      'ok at 17500',
      'fail at 23000, retry in 1000',
    ]);
  });

  it('a first interval under the floor still caps retries at the floor, not below it', async () => {
    const { clock, events, t } = task(
      10,
      async () => {
        throw new Error('down');
      },
      () => 0,
    );
    t.start();
    await clock.advance(1_000);
    await clock.advance(1_000);
    expect(events).toEqual(['fail at 1000, retry in 1000', 'fail at 2000, retry in 1000']);
  });

  it('stop() cancels the next run', async () => {
    const step = vi.fn(async () => 1_000);
    const { clock, t } = task(1_000, step);
    t.start();
    t.stop();
    await clock.advance(10_000);
    expect(step).not.toHaveBeenCalled();
    expect(clock.timers).toBe(0);
  });
});

describe('RetryLoop', () => {
  function loop(attempt: () => Promise<void>) {
    const clock = new FakeClock();
    const waits: number[] = [];
    const l = new RetryLoop({
      clock,
      random: () => 0.9999999,
      backoffBaseMs: SEC,
      attempt,
      failing: (_e, wait) => waits.push(Math.round(wait)),
    });
    return { clock, waits, l };
  }

  it('tries at once, then after a doubling backoff, until it succeeds', async () => {
    let n = 0;
    const { clock, waits, l } = loop(async () => {
      n += 1;
      if (n < 4) throw new Error('down');
    });
    l.start();
    await settle();
    expect(n).toBe(1);
    await clock.advance(10_000);
    expect(n).toBe(4);
    expect(waits).toEqual([1_000, 2_000, 4_000]);
    expect(clock.timers).toBe(0);
  });

  it('stop() before it runs: no attempt; stop() during an attempt: no retry scheduled', async () => {
    const idle = loop(async () => undefined);
    idle.l.stop();
    idle.l.start();
    await settle();
    const attempt = vi.fn(async () => undefined);
    const never = loop(attempt);
    never.l.stop();
    never.l.start();
    await settle();
    expect(attempt).not.toHaveBeenCalled();

    const ref: { loop?: RetryLoop } = {};
    const during = loop(async () => {
      ref.loop!.stop();
      throw new Error('down');
    });
    ref.loop = during.l;
    during.l.start();
    await settle();
    expect(during.waits).toEqual([]);
    expect(during.clock.timers).toBe(0);
  });
});

describe('TimerGroup', () => {
  it('counts pending timers, forgets fired ones, and stop() cancels all and refuses new ones', async () => {
    const clock = new FakeClock();
    const group = new TimerGroup(clock);
    const fired: number[] = [];
    group.at(1_000, () => fired.push(1));
    group.at(2_000, () => fired.push(2));
    expect(group.pending).toBe(2);
    await clock.advance(1_000);
    expect(fired).toEqual([1]);
    expect(group.pending).toBe(1);
    group.stop();
    expect(group.pending).toBe(0);
    group.at(10, () => fired.push(3));
    expect(group.pending).toBe(0);
    await clock.advance(5_000);
    expect(fired).toEqual([1]);
    expect(clock.timers).toBe(0);
  });

  it('clear() cancels what is pending but the group stays usable', async () => {
    const clock = new FakeClock();
    const group = new TimerGroup(clock);
    const fired: string[] = [];
    group.at(1_000, () => fired.push('old'));
    group.clear();
    group.at(1_000, () => fired.push('new'));
    await clock.advance(1_000);
    expect(fired).toEqual(['new']);
  });

  it('a timer due while the group is being stopped does not run', async () => {
    const clock = new FakeClock();
    const group = new TimerGroup(clock);
    const fired: string[] = [];
    // Two timers due together: the first stops the group, the second must not run.
    group.at(1_000, () => {
      fired.push('first');
      group.stop();
    });
    group.at(1_000, () => fired.push('second'));
    await clock.advance(1_000);
    expect(fired).toEqual(['first']);
  });
});

describe('sleepOn', () => {
  const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  it('resolves when the clock reaches the wait, and holds the process open until then', async () => {
    const clock = new FakeClock();
    const before = timeouts();
    let done = false;
    const wait = sleepOn(clock, 2 * SEC).then(() => (done = true));
    // The fake clock sets no real timer: the one counted is what keeps a script awaiting this alive.
    expect(timeouts()).toBe(before + 1);
    await clock.advance(2 * SEC - 1);
    expect(done).toBe(false);
    await clock.advance(1);
    await wait;
    expect(timeouts()).toBe(before);
    expect(clock.timers).toBe(0);
  });

  it('an abort ends it at once and lets the process go; an aborted signal never starts it', async () => {
    const clock = new FakeClock();
    const before = timeouts();
    const abort = new AbortController();
    const wait = sleepOn(clock, 2 * SEC, abort.signal);
    abort.abort();
    await wait;
    expect(timeouts()).toBe(before);
    expect(clock.timers).toBe(0);
    await sleepOn(clock, 2 * SEC, abort.signal);
    expect(clock.delays).toEqual([2 * SEC]);
  });
});

describe('systemClock', () => {
  it('now() is Date.now()', () => {
    vi.useFakeTimers({ now: 1_234_567 });
    expect(systemClock.now()).toBe(1_234_567);
  });

  it('cancel() before the first step: never fires, and leaves no timer', () => {
    vi.useFakeTimers({ now: 0 });
    let fired = 0;
    const handle = systemClock.setTimer(5_000, () => (fired += 1));
    expect(vi.getTimerCount()).toBe(1);
    handle.cancel();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(fired).toBe(0);
  });

  it('cancel() between chained steps leaves no timer; a short delay is one timer of that length', () => {
    vi.useFakeTimers({ now: 0 });
    const handle = systemClock.setTimer(2 * MAX_TIMER_MS, () => undefined);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(vi.getTimerCount()).toBe(1);
    handle.cancel();
    expect(vi.getTimerCount()).toBe(0);
    let fired = 0;
    systemClock.setTimer(500, () => (fired += 1));
    vi.advanceTimersByTime(499);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });

  it('a cancelled timer whose step already fired does not call back', () => {
    vi.useFakeTimers({ now: 0 });
    let fired = 0;
    const handle = systemClock.setTimer(2 * MAX_TIMER_MS, () => (fired += 1));
    vi.advanceTimersByTime(MAX_TIMER_MS - 1);
    handle.cancel();
    vi.advanceTimersByTime(3 * MAX_TIMER_MS);
    expect(fired).toBe(0);
  });
});
