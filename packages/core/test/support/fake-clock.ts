/**
 * A clock for the lifecycle's unit tests: time moves only when the test says, timers fire in due
 * order, and the promises they start settle before time moves on. Months of leases run in
 * milliseconds.
 */
import type { Clock, RandomSource, TimerHandle } from '../../src/lifecycle/clock';

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
}

/** Lets every queued promise callback run (setImmediate comes after the microtask queue drains). */
export const settle = async (rounds = 3) => {
  for (let i = 0; i < rounds; i += 1) await new Promise((r) => setImmediate(r));
};

export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();
  /** Delays every timer was set with, in order: the schedule a test asserts. */
  readonly delays: number[] = [];
  fired = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const entry = { due: this.time + Math.max(0, ms), seq: (this.seq += 1), fn };
    this.delays.push(ms);
    this.pending.add(entry);
    return { cancel: () => void this.pending.delete(entry) };
  }

  get timers(): number {
    return this.pending.size;
  }

  /** The delay until the next timer, or undefined when none is set. */
  nextIn(): number | undefined {
    let next: Pending | undefined;
    for (const p of this.pending) if (!next || p.due < next.due) next = p;
    return next === undefined ? undefined : next.due - this.time;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.due <= end && (!next || p.due < next.due || (p.due === next.due && p.seq < next.seq))) next = p;
      }
      if (!next) break;
      this.pending.delete(next);
      this.time = Math.max(this.time, next.due);
      this.fired += 1;
      next.fn();
      await settle();
    }
    this.time = end;
  }
}

/** A random source that returns `values` in turn (then repeats the last). */
export function sequence(...values: number[]): RandomSource {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}
