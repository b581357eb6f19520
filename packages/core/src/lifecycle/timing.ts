/**
 * The timing rules every watcher follows. Renewal at about 2/3 of what is left, as Vault's own
 * `api/lifetime_watcher.go` does, with a random spread of ±1/8 of it so that pods started together
 * drift apart; failures back off exponentially with jitter, and the backoff is a floor on every delay.
 */
import type { RandomSource } from './clock';

/** Share of the remaining lifetime slept before renewing. */
export const RENEW_FRACTION = 2 / 3;
/** Half-width of the random spread around RENEW_FRACTION, as a share of the remaining lifetime. */
export const RENEW_SPREAD = 1 / 8;
/** No renewal loop runs faster than this, whatever the TTL says. */
export const MIN_RENEW_DELAY_MS = 500;
/** The first retry after a failure never comes sooner than this. */
export const MIN_BACKOFF_MS = 1000;
/** Retries of a failing step never wait longer than this. */
export const MAX_BACKOFF_MS = 60_000;

/** When to act on something with `remainingMs` left: 2/3 of it ± 1/8, at least MIN_RENEW_DELAY_MS. */
export function renewDelay(remainingMs: number, random: RandomSource): number {
  const fraction = RENEW_FRACTION + (random() * 2 - 1) * RENEW_SPREAD;
  return Math.max(MIN_RENEW_DELAY_MS, remainingMs * fraction);
}

/**
 * Capped exponential backoff with jitter: the n-th consecutive failure waits
 * min(cap, base·2^(n−1)) × [0.5, 1), and never less than MIN_BACKOFF_MS.
 */
export class Backoff {
  private failures = 0;
  private readonly baseMs: number;

  constructor(
    baseMs: number,
    private readonly random: RandomSource,
    private readonly capMs = MAX_BACKOFF_MS,
  ) {
    this.baseMs = Math.max(MIN_BACKOFF_MS, baseMs);
  }

  /** The wait after one more failure. */
  next(): number {
    this.failures += 1;
    const ceiling = Math.min(
      Math.max(this.capMs, MIN_BACKOFF_MS),
      this.baseMs * 2 ** Math.min(this.failures - 1, 20),
    );
    return Math.max(MIN_BACKOFF_MS, ceiling * (0.5 + this.random() / 2));
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
