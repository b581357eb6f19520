/** One watcher on the fake clock: exact schedules, reasons to stop, backoff as a floor. */
import { describe, expect, it } from 'vitest';
import { LifetimeWatcher, type DoneReason } from '../../src/lifecycle/lifetime-watcher';
import { MIN_BACKOFF_MS } from '../../src/lifecycle/timing';
import { FakeClock, settle } from '../support/fake-clock';

const HOUR = 3_600_000;

function watch(opts: {
  ttlMs: number;
  renew?: (incrementMs: number, at: number) => Promise<number>;
  isPermanent?: (e: unknown) => boolean;
  random?: () => number;
}) {
  const clock = new FakeClock();
  const events: string[] = [];
  const renewals: number[] = [];
  let done: { reason: DoneReason; at: number } | undefined;
  const w = new LifetimeWatcher(
    { expiresAt: clock.now() + opts.ttlMs, grantedMs: opts.ttlMs },
    {
      clock,
      random: opts.random ?? (() => 0.5),
      backoffBaseMs: 1_000,
      isPermanent: opts.isPermanent ?? ((e) => (e as { status?: number }).status === 400),
      ...(opts.renew
        ? {
            renew: (inc: number) => {
              renewals.push(clock.now());
              return opts.renew!(inc, clock.now());
            },
          }
        : {}),
      listener: {
        renewed: () => events.push('renewed'),
        failing: (_e, wait) => events.push(`failing ${Math.round(wait)}`),
        done: (reason) => {
          done = { reason, at: clock.now() };
          events.push(`done ${reason}`);
        },
      },
    },
  );
  const start = clock.now();
  w.start();
  return { clock, w, events, renewals, start, done: () => done };
}

describe('LifetimeWatcher', () => {
  it('renews at exactly 2/3 of the TTL (random 0.5) and again at 2/3 of each new TTL', async () => {
    const t = watch({ ttlMs: HOUR, renew: async (inc) => inc });
    await t.clock.advance(10 * HOUR);
    const offsets = t.renewals.map((at) => at - t.start);
    expect(offsets.slice(0, 3)).toEqual([(2 / 3) * HOUR, (4 / 3) * HOUR, 2 * HOUR].map(Math.round));
    expect(t.renewals).toHaveLength(15);
    expect(t.done()).toBeUndefined();
  });

  it('asks for the lifetime it was granted as the increment', async () => {
    const asked: number[] = [];
    const t = watch({ ttlMs: 90_000, renew: async (inc) => (asked.push(inc), inc) });
    await t.clock.advance(200_000);
    expect(new Set(asked)).toEqual(new Set([90_000]));
  });

  it('stops with max-ttl at 2/3 of what is left once a renewal is capped', async () => {
    // TTL 1 h, max TTL 1.5 h: the first renewal (at 40 min) is capped to 50 min.
    const t = watch({
      ttlMs: HOUR,
      renew: async (_inc, at) => Math.min(HOUR, 1.5 * HOUR - (at - Date.UTC(2026, 0, 1))),
    });
    await t.clock.advance(2 * HOUR);
    expect(t.renewals).toHaveLength(1);
    expect(t.done()).toEqual({ reason: 'max-ttl', at: t.start + (2 / 3) * HOUR + (2 / 3) * (50 * 60_000) });
  });

  it('stops with not-renewable at 2/3 of the TTL when there is no renew function', async () => {
    const t = watch({ ttlMs: 30_000 });
    await t.clock.advance(60_000);
    expect(t.done()).toEqual({ reason: 'not-renewable', at: t.start + 20_000 });
  });

  it('stops with renew-refused at once on a permanent failure', async () => {
    const t = watch({
      ttlMs: 30_000,
      renew: async () => Promise.reject(Object.assign(new Error('x'), { status: 400 })),
    });
    await t.clock.advance(60_000);
    expect(t.renewals).toHaveLength(1);
    expect(t.done()).toEqual({ reason: 'renew-refused', at: t.start + 20_000 });
  });

  it('retries a transient failure with a backoff floor, past the remaining TTL, then stops as expired', async () => {
    // TTL 3 s, random 0: the first renewal at 13/24 of it (1625 ms) fails; the retries come a
    // backoff floor apart, the second one after the expiry.
    const t = watch({
      ttlMs: 3_000,
      renew: async () => Promise.reject(Object.assign(new Error('down'), { status: 503 })),
      random: () => 0,
    });
    await t.clock.advance(60_000);
    expect(t.renewals.map((at) => at - t.start)).toEqual([
      1_625,
      1_625 + MIN_BACKOFF_MS,
      1_625 + 2 * MIN_BACKOFF_MS,
    ]);
    expect(t.events).toEqual([`failing ${MIN_BACKOFF_MS}`, `failing ${MIN_BACKOFF_MS}`, 'done expired']);
  });

  it('a 768 h lease sets its first timer 512 h out and nothing fires in the first second', async () => {
    const t = watch({ ttlMs: 768 * HOUR, renew: async (inc) => inc });
    expect(t.clock.nextIn()).toBe(512 * HOUR);
    await t.clock.advance(1_000);
    expect(t.clock.fired).toBe(0);
    // 90 days: renewals at 512 h, 1024 h, 1536 h, 2048 h.
    await t.clock.advance(90 * 24 * HOUR);
    expect(t.renewals.map((at) => (at - t.start) / HOUR)).toEqual([512, 1024, 1536, 2048]);
  });

  it('stop() cancels everything and no late answer restarts it', async () => {
    let answer!: (ms: number) => void;
    const t = watch({ ttlMs: 3_000, renew: () => new Promise<number>((r) => (answer = r)) });
    await t.clock.advance(2_000);
    t.w.stop();
    answer(3_000);
    await settle();
    expect(t.clock.timers).toBe(0);
    expect(t.events).toEqual([]);
  });
});
