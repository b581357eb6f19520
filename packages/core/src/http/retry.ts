/**
 * Retry with exponential backoff and full jitter (delay = random(0, min(cap, base * 2^n))),
 * `Retry-After` honoured (then a random point in a spread window that widens with each retry, so
 * clients told the same wait do not return in one burst), and one overall deadline that bounds every
 * attempt and every wait. Which failures are transient is decided by the caller's `classify`.
 */
import { sleepOn, systemClock } from '../lifecycle/clock';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  /** Upper bound of one backoff wait (before jitter). */
  maxDelayMs: number;
  /** Epoch milliseconds after which no attempt starts and no wait ends. */
  deadline: number;
  /** Per-attempt timeout; each attempt gets min(this, time left). */
  attemptTimeoutMs: number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Aborting stops retrying (e.g. a sibling read already failed the start-up). */
  signal?: AbortSignal;
  /** Where a failed attempt that will be retried is reported (start-up: the app's logger, at warn). */
  warn?: (message: string) => void;
  /** Called before each wait; vaultCall turns it into the warn line. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  /** The attempt that failed, 1-based. */
  attempt: number;
  /** Attempts allowed in all (maxRetries + 1). */
  maxAttempts: number;
  error: unknown;
  /** The wait before the next attempt. */
  waitMs: number;
  /** True when the wait was shortened to fit the deadline (this is the last attempt that fits). */
  shortened: boolean;
}

/** Shorter than this, an attempt cannot do a round trip: better stop and say so. */
export const MIN_ATTEMPT_MS = 100;

export interface RetryDecision {
  retryable: boolean;
  /** Server-requested wait (from `Retry-After`), in ms. */
  retryAfterMs?: number;
  /** Refused by a rate-limit quota (429): counted apart from other failures, see QUOTA_RETRIES. */
  quota?: boolean;
}

/**
 * Retries after 429s when the policy retries at all: a quota refusal says "later", not "broken", so
 * it does not use up `maxRetries`. A fleet larger than the quota can be refused several times in a
 * row; the spread window (n × max(1 s, Retry-After)) and the deadline bound the total wait.
 */
export const QUOTA_RETRIES = 10;

export interface AttemptContext {
  /** 1-based. */
  attempt: number;
  /** min(attemptTimeoutMs, time left before the deadline). */
  timeoutMs: number;
  /** Aborted when the deadline passes. */
  signal: AbortSignal;
}

/** Why retrying stopped; `lastError` is the failure that ended it. */
export interface DeadlineDetail {
  /** Milliseconds left of the deadline when retrying stopped. */
  leftMs: number;
  /** Set when Vault asked (Retry-After) for a longer wait than was left. */
  retryAfterMs?: number;
}

export class RetryStop extends Error {
  constructor(
    readonly reason: 'fatal' | 'exhausted' | 'deadline',
    readonly lastError: unknown,
    readonly attempts: number,
    readonly deadline?: DeadlineDetail,
  ) {
    super(`retry stopped: ${reason} after ${attempts} attempt(s)`);
    this.name = 'RetryStop';
  }
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw.trim()) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * `X-Ratelimit-Reset` (what a 429 may carry instead of `Retry-After`): seconds until the quota
 * refills (Vault's current quotas), an HTTP-date (older Vault releases), or epoch seconds (some proxies).
 */
export function parseRateLimitReset(
  value: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const ms = parseRetryAfter(value, now);
  // More than ~30 years of seconds is a Unix time, not a wait.
  return ms !== undefined && ms > 1e12 ? Math.max(0, ms - now) : ms;
}

/**
 * Vault's rate-limit quotas count requests per interval, 1 s unless configured otherwise; the
 * `Retry-After` they send is the whole seconds left of it, so "0" means "within a second". The first
 * retry is spread over at least this window.
 */
export const RETRY_SPREAD_MIN_MS = 1000;
/** The spread window never grows past this (the background backoff's cap too). */
export const RETRY_SPREAD_MAX_MS = 60_000;
/**
 * `Retry-After` (and `X-Ratelimit-Reset`) count whole seconds, and Vault truncates: the moment they
 * name can be up to a second later than their value. Waiting the value alone, half of a refused
 * fleet came back before its quota refilled and was refused again.
 */
export const RETRY_AFTER_RESOLUTION_MS = 1000;

/**
 * The wait before retry `retry` (1-based) after a `Retry-After` of `retryAfterMs`: past the moment
 * it names (the value plus its one-second resolution), then a random point in a window of `retry`
 * times max(1 s, Retry-After), at most 60 s. A fleet refused at once comes back spread over the
 * next quota interval instead of as one burst; those refused again spread over two intervals, then
 * three, so a backlog larger than the quota thins out instead of being refused again together.
 */
export function retryAfterDelay(
  retryAfterMs: number,
  retry: number,
  random: () => number = Math.random,
): number {
  const window = Math.min(
    RETRY_SPREAD_MAX_MS,
    Math.max(RETRY_SPREAD_MIN_MS, retryAfterMs) * Math.max(1, retry),
  );
  return retryAfterMs + RETRY_AFTER_RESOLUTION_MS + Math.floor(random() * window);
}

export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

export async function withRetry<T>(
  operation: (context: AttemptContext) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  policy: RetryPolicy,
): Promise<T> {
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? ((ms: number, signal?: AbortSignal) => sleepOn(systemClock, ms, signal));
  let attempt = 0;
  let quotaRefusals = 0;
  const quotaRetries = policy.maxRetries > 0 ? Math.max(policy.maxRetries, QUOTA_RETRIES) : 0;
  for (;;) {
    const left = policy.deadline - now();
    if (left <= 0) throw new RetryStop('deadline', undefined, attempt, { leftMs: 0 });
    if (policy.signal?.aborted) throw new RetryStop('fatal', policy.signal.reason, attempt);
    attempt += 1;
    const controller = new AbortController();
    const onCancel = () => controller.abort();
    policy.signal?.addEventListener('abort', onCancel, { once: true });
    const timeoutMs = Math.max(1, Math.min(policy.attemptTimeoutMs, left));
    const guard = setTimeout(() => controller.abort(), timeoutMs + 50);
    try {
      return await operation({ attempt, timeoutMs, signal: controller.signal });
    } catch (error) {
      const decision = classify(error);
      if (!decision.retryable) throw new RetryStop('fatal', error, attempt);
      if (decision.quota) quotaRefusals += 1;
      // The counter that applies to this failure: quota refusals, or every other failure.
      const [count, allowed] = decision.quota
        ? [quotaRefusals, quotaRetries]
        : [attempt - quotaRefusals, policy.maxRetries];
      if (count > allowed) throw new RetryStop('exhausted', error, attempt);
      const wanted =
        decision.retryAfterMs !== undefined
          ? retryAfterDelay(decision.retryAfterMs, count, policy.random)
          : backoffDelay(count - 1, policy);
      const leftNow = policy.deadline - now();
      // Vault's Retry-After is honoured or not at all; the second of its resolution, its jitter and
      // our own backoff shrink to the time left.
      if (decision.retryAfterMs !== undefined && decision.retryAfterMs + MIN_ATTEMPT_MS > leftNow) {
        throw new RetryStop('deadline', error, attempt, {
          leftMs: Math.max(0, leftNow),
          retryAfterMs: decision.retryAfterMs,
        });
      }
      const wait = Math.min(wanted, leftNow - MIN_ATTEMPT_MS);
      if (wait < 0) throw new RetryStop('deadline', error, attempt, { leftMs: Math.max(0, leftNow) });
      policy.onRetry?.({
        attempt: count,
        maxAttempts: allowed + 1,
        error,
        waitMs: wait,
        shortened: wait < wanted,
      });
      await sleep(wait, policy.signal);
    } finally {
      clearTimeout(guard);
      policy.signal?.removeEventListener('abort', onCancel);
    }
  }
}
