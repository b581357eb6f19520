/**
 * Readiness is derived from what is held, never toggled by events: a recovery of one thing cannot
 * hide the failure of another, and an expiry counts even when nothing reported it.
 */
import type { VaultLastError } from '../types';

/** One thing the manager holds after start-up: the token, a dynamic lease, the refresh loop. */
export interface Held {
  /** For messages, e.g. `token` or `lease of database/creds/app`. */
  name: string;
  /** Epoch ms at which its credentials stop working; null when they do not expire. */
  expiresAt: number | null;
  /** The failure being retried; null while healthy. */
  error: VaultLastError | null;
  /** The code readiness reports once it has expired, e.g. `VAULT_LEASE_FAILED`. */
  expiredCode: string;
}

export interface Derived {
  state: 'ready' | 'degraded' | 'failed';
  last_error: VaultLastError | null;
}

export function isExpired(held: Held, now: number): boolean {
  return held.expiresAt !== null && held.expiresAt <= now;
}

/**
 * `failed` while anything held has expired without replacement; `degraded` while something is
 * failing but every credential is still live; `ready` otherwise.
 */
export function deriveReadiness(held: readonly Held[], now: number): Derived {
  const expired = held.find((h) => isExpired(h, now));
  if (expired) {
    const cause = expired.error ? ` (last failure: ${expired.error.code})` : '';
    return {
      state: 'failed',
      last_error: {
        name: expired.expiredCode === 'VAULT_TOKEN_EXPIRED' ? 'VaultAuthenticationError' : 'VaultSecretError',
        code: expired.expiredCode,
        message: `the ${expired.name} expired and has not been replaced yet${cause}: retrying`,
        at: new Date(expired.expiresAt as number).toISOString(),
      },
    };
  }
  const failing = held.filter((h) => h.error !== null);
  if (failing.length === 0) return { state: 'ready', last_error: null };
  const latest = failing.reduce((a, b) =>
    (a.error as VaultLastError).at >= (b.error as VaultLastError).at ? a : b,
  );
  return { state: 'degraded', last_error: latest.error };
}

/** The earliest future expiry among `held`, when readiness must be derived again. */
export function nextExpiry(held: readonly Held[], now: number): number | null {
  let next: number | null = null;
  for (const h of held) {
    if (h.expiresAt !== null && h.expiresAt > now && (next === null || h.expiresAt < next))
      next = h.expiresAt;
  }
  return next;
}

/**
 * Folds in failures that consumers of the secrets reported (a pool that could not apply rotated
 * credentials and kept the old ones): they turn `ready` into `degraded`, never into `failed`, since
 * the credentials in use still work. The latest failure becomes `last_error`.
 */
export function withConsumerErrors(derived: Derived, reported: readonly VaultLastError[]): Derived {
  if (derived.state === 'failed' || reported.length === 0) return derived;
  const latest = [...reported, ...(derived.last_error ? [derived.last_error] : [])].reduce((a, b) =>
    a.at >= b.at ? a : b,
  );
  return { state: 'degraded', last_error: latest };
}
