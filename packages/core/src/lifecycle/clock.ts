/**
 * Time as the lifecycle sees it: a clock that can be replaced in tests (months of leases in
 * milliseconds) and timers that cannot misfire. Node fires any delay above 2^31−1 ms after 1 ms;
 * longer delays are chained here in steps, so a 768 h lease waits 768 h.
 */

/** Node's largest timer delay; anything longer is fired at once with a TimeoutOverflowWarning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls `fn` once after `ms` (any length, negative means now). Never keeps the process alive. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** Uniform in [0, 1). */
export type RandomSource = () => number;

/** Node's timers, unref'ed, chained past MAX_TIMER_MS. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const due = Date.now() + Math.max(0, ms);
    const arm = () => {
      const left = due - Date.now();
      if (left <= 0) return fn();
      timer = setTimeout(
        () => {
          if (!cancelled) arm();
        },
        Math.min(left, MAX_TIMER_MS),
      );
      timer.unref();
    };
    // First step without reading the clock twice: a zero delay still goes through the event loop.
    timer = setTimeout(
      () => {
        if (!cancelled) arm();
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
    timer.unref();
    return {
      cancel() {
        cancelled = true;
        if (timer !== undefined) clearTimeout(timer);
      },
    };
  },
};

/**
 * Waits `ms` on `clock` for a caller that awaits it (a start-up step): resolves at once when `signal`
 * aborts and leaves no timer behind. It holds the process open meanwhile: the clock's own timers
 * never do, and a pending promise alone does not keep Node running, so a script awaiting
 * initialize() would otherwise exit in the middle of the wait.
 */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const hold = setInterval(() => undefined, MAX_TIMER_MS);
    const done = () => {
      clearInterval(hold);
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimer(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A set of timers cancelled together (one per watcher, so stopping it leaves nothing behind). */
export class TimerGroup {
  private readonly handles = new Set<TimerHandle>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  at(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const handle = this.clock.setTimer(ms, () => {
      this.handles.delete(handle);
      if (!this.stopped) fn();
    });
    this.handles.add(handle);
  }

  /** Cancels what is pending; the group stays usable. */
  clear(): void {
    for (const handle of this.handles) handle.cancel();
    this.handles.clear();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  get pending(): number {
    return this.handles.size;
  }
}
