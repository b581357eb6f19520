/**
 * Watches one thing with a lifetime — the Vault token or one dynamic lease — the way Vault's
 * `api/lifetime_watcher.go` does: renew at about 2/3 of what is left, back off on its own failures,
 * and stop with a reason when renewing can no longer help. What to do then (log in again, fetch new
 * credentials) is the supervisor's decision, not the watcher's.
 */
import type { Clock, RandomSource } from './clock';
import { TimerGroup } from './clock';
import { Backoff, renewDelay } from './timing';

/** Why a watcher stopped: the owner must replace what it watched. */
export type DoneReason =
  /** Not renewable: fetch a new one ahead of expiry. */
  | 'not-renewable'
  /** Renewed up to its max TTL: fetch a new one ahead of expiry. */
  | 'max-ttl'
  /** Vault refused to renew (revoked, unknown, not allowed). */
  | 'renew-refused'
  /** Renewal kept failing until the lifetime ran out. */
  | 'expired';

export interface Lifetime {
  /** Epoch ms at which it stops being valid. */
  expiresAt: number;
  /** The lifetime Vault granted at issue or at the last renewal, ms: what a renewal asks for. */
  grantedMs: number;
}

export interface WatcherListener {
  renewed(lifetime: Lifetime): void;
  failing(error: unknown, retryInMs: number): void;
  done(reason: DoneReason, error?: unknown): void;
}

export interface LifetimeWatcherOptions {
  clock: Clock;
  random: RandomSource;
  /** Base of the failure backoff, ms. */
  backoffBaseMs: number;
  /** Renews for `incrementMs`; resolves to the lifetime Vault granted, ms. Absent: not renewable. */
  renew?: (incrementMs: number) => Promise<number>;
  /** A failure renewing cannot fix (e.g. 400 "lease not found"); others are retried. */
  isPermanent: (error: unknown) => boolean;
  listener: WatcherListener;
}

export class LifetimeWatcher {
  private readonly timers: TimerGroup;
  private readonly backoff: Backoff;
  private stopped = false;

  constructor(
    private lifetime: Lifetime,
    private readonly options: LifetimeWatcherOptions,
  ) {
    this.timers = new TimerGroup(options.clock);
    this.backoff = new Backoff(options.backoffBaseMs, options.random);
  }

  get current(): Lifetime {
    return { ...this.lifetime };
  }

  start(): void {
    this.scheduleNext(this.options.renew ? 'renew' : 'not-renewable');
  }

  stop(): void {
    this.stopped = true;
    this.timers.stop();
  }

  private remaining(): number {
    return this.lifetime.expiresAt - this.options.clock.now();
  }

  /** Renew, or hand over, at about 2/3 of what is left. */
  private scheduleNext(next: 'renew' | 'not-renewable' | 'max-ttl'): void {
    const delay = renewDelay(this.remaining(), this.options.random);
    this.timers.at(delay, () => {
      if (next === 'renew') void this.renew();
      else this.finish(next);
    });
  }

  private finish(reason: DoneReason, error?: unknown): void {
    if (this.stopped) return;
    this.stop();
    this.options.listener.done(reason, error);
  }

  private async renew(): Promise<void> {
    const renew = this.options.renew as (incrementMs: number) => Promise<number>;
    const asked = this.lifetime.grantedMs;
    let grantedMs: number;
    try {
      grantedMs = await renew(asked);
    } catch (error) {
      if (this.stopped) return;
      if (this.options.isPermanent(error)) return this.finish('renew-refused', error);
      if (this.remaining() <= 0) return this.finish('expired', error);
      const wait = this.backoff.next();
      this.options.listener.failing(error, wait);
      this.timers.at(wait, () => void this.renew());
      return;
    }
    if (this.stopped) return;
    this.backoff.reset();
    this.lifetime = {
      expiresAt: this.options.clock.now() + grantedMs,
      grantedMs: Math.max(grantedMs, asked),
    };
    this.options.listener.renewed(this.current);
    // Less than asked: the max TTL caps it, renewing again cannot extend it; replace it ahead of expiry.
    this.scheduleNext(grantedMs < asked ? 'max-ttl' : 'renew');
  }
}
