/** Public types shared by the core and the framework adapters. */

export type VaultState = 'disabled' | 'loading' | 'ready' | 'degraded' | 'failed';

export type AuthMethodName = 'kubernetes' | 'token' | 'approle';

/** Secret-free summary of the last failure, for status surfaces. */
export interface VaultLastError {
  name: string;
  code: string;
  message: string;
  at: string;
}

/**
 * The status object every health surface serves. The first five keys are the reference Python
 * service's `get_status()` keys, in its order, so existing dashboards keep working.
 */
export interface VaultStatus {
  authenticated: boolean;
  secrets_loaded: boolean;
  vault_url: string | null;
  vault_path: string | null;
  vault_role: string | null;
  state: VaultState;
  auth_method: AuthMethodName | null;
  keys: number;
  loaded_at: string | null;
  token_expires_at: string | null;
  last_error: VaultLastError | null;
}

/** Readiness rule shared by every health surface. */
export function isReady(status: Pick<VaultStatus, 'state'>): boolean {
  return status.state === 'ready' || status.state === 'degraded' || status.state === 'disabled';
}

/**
 * Anything with these methods works: Nest's `Logger`, pino, `console`, Fastify's `app.log`.
 * Only key names and codes are ever passed, never values.
 */
export interface VaultLogger {
  error(message: string): unknown;
  warn(message: string): unknown;
  info?(message: string): unknown;
  log?(message: string): unknown;
  debug?(message: string): unknown;
}

/**
 * Published when secrets change after start-up: a refresh, a rotation, or a load that succeeded in
 * the background (`initializeInBackground()`). Names only.
 */
export interface SecretChangeEvent {
  reason: 'refresh' | 'rotation' | 'load';
  /** Keys added, changed or removed. */
  keys: string[];
  at: string;
}

/** Published when dynamic credentials are replaced; carries the new values for the app to use. */
export interface SecretRotationEvent {
  path: string;
  keys: string[];
  values: Readonly<Record<string, string>>;
  at: string;
  /**
   * Call while handling the event to keep the old credentials alive (a pool still draining); call
   * the function it returns once they are no longer used. The old lease is revoked when every
   * retainer has released it (or at its own expiry); with no retainer, after a short grace.
   */
  retain(): () => void;
}
