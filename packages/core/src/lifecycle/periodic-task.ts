/**
 * A step run on a schedule, for what has no lease to renew: the KV refresh loop and the re-read of a
 * dynamic path without a lease. Each success schedules the next run at the step's own interval; each
 * failure backs off (capped at the interval) and reports. Steps never overlap.
 */
import type { Clock, RandomSource } from './clock';
import { TimerGroup } from './clock';
import { Backoff, MIN_BACKOFF_MS } from './timing';

/** Share of the interval by which each run is moved at random, so a fleet does not read in step. */
export const INTERVAL_SPREAD = 0.1;

export interface PeriodicTaskOptions {
  clock: Clock;
  random: RandomSource;
  backoffBaseMs: number;
  /** Runs once; resolves to the interval before the next run, ms. */
  step: () => Promise<number>;
  succeeded(): void;
  failing(error: unknown, retryInMs: number): void;
}

export class PeriodicTask {
  private readonly timers: TimerGroup;
  private readonly backoff: Backoff;
  private lastIntervalMs: number;

  constructor(
    firstIntervalMs: number,
    private readonly options: PeriodicTaskOptions,
  ) {
    this.timers = new TimerGroup(options.clock);
    this.lastIntervalMs = firstIntervalMs;
    this.backoff = new Backoff(
      options.backoffBaseMs,
      options.random,
      Math.max(firstIntervalMs, MIN_BACKOFF_MS),
    );
  }

  start(): void {
    this.timers.at(this.spread(this.lastIntervalMs), () => void this.run());
  }

  stop(): void {
    this.timers.stop();
  }

  /** Interval ± INTERVAL_SPREAD, never below the backoff floor. */
  private spread(intervalMs: number): number {
    const factor = 1 + (this.options.random() * 2 - 1) * INTERVAL_SPREAD;
    return Math.max(MIN_BACKOFF_MS, intervalMs * factor);
  }

  private async run(): Promise<void> {
    let next: number;
    try {
      next = await this.options.step();
    } catch (error) {
      const wait = Math.min(this.backoff.next(), Math.max(this.lastIntervalMs, MIN_BACKOFF_MS));
      this.options.failing(error, wait);
      this.timers.at(wait, () => void this.run());
      return;
    }
    this.backoff.reset();
    this.lastIntervalMs = next;
    this.options.succeeded();
    this.timers.at(this.spread(next), () => void this.run());
  }
}

/**
 * Tries `attempt` until it succeeds, waiting a capped, jittered backoff between failures: for the
 * supervisor's recoveries (log in again, fetch new credentials). Stops for good on `stop()`.
 */
export class RetryLoop {
  private readonly timers: TimerGroup;
  private readonly backoff: Backoff;
  private stopped = false;

  constructor(
    private readonly options: {
      clock: Clock;
      random: RandomSource;
      backoffBaseMs: number;
      attempt: () => Promise<void>;
      failing(error: unknown, retryInMs: number): void;
    },
  ) {
    this.timers = new TimerGroup(options.clock);
    this.backoff = new Backoff(options.backoffBaseMs, options.random);
  }

  /** The first attempt runs at once. */
  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.timers.stop();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.options.attempt();
    } catch (error) {
      if (this.stopped) return;
      const wait = this.backoff.next();
      this.options.failing(error, wait);
      this.timers.at(wait, () => void this.run());
    }
  }
}
